/**
 * Wrap `fn` so that calls made while one is in flight share its promise instead of starting
 * another. The refresh token rotates on every use, so two refreshes at once would spend the
 * same token twice and the gateway would revoke the whole family.
 */
export function singleFlight<T>(fn: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | null = null
  return () => {
    if (!inFlight) {
      inFlight = (async () => {
        try {
          return await fn()
        } finally {
          inFlight = null
        }
      })()
    }
    return inFlight
  }
}
