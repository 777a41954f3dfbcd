/**
 * An id for a new issue, chosen by the browser so a retried submission names the same issue
 * (grid wants ^[A-Za-z0-9-]{8,64}$).
 */
export function newIssueId(random: () => string = defaultRandom): string {
  return `web-${random()}`.replace(/[^A-Za-z0-9-]/g, '').slice(0, 64)
}

function defaultRandom(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const bytes = new Uint8Array(16)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

export const ISSUE_ID_PATTERN = /^[A-Za-z0-9-]{8,64}$/
