// The access token is read, never verified, here: the gateway and every service verify it.
// The browser only needs to know who is logged in and when the token runs out.

export interface Claims {
  sub: string
  role: string
  villages: string[]
  county?: string
  township?: string
  pid?: string
  exp?: number
  scope?: string
}

function base64UrlDecode(segment: string): string {
  const b64 = segment.replace(/-/g, '+').replace(/_/g, '/')
  const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4)
  const binary = atob(padded)
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0))
  return new TextDecoder().decode(bytes)
}

/** The payload of a JWT, or null when the token is not one. */
export function decodeJwtPayload(token: string | null | undefined): Claims | null {
  if (!token) return null
  const parts = token.split('.')
  if (parts.length !== 3 || !parts[1]) return null
  let payload: unknown
  try {
    payload = JSON.parse(base64UrlDecode(parts[1]))
  } catch {
    return null
  }
  if (typeof payload !== 'object' || payload === null) return null
  const p = payload as Record<string, unknown>
  if (typeof p.role !== 'string' || typeof p.sub !== 'string') return null
  const villages = Array.isArray(p.villages) ? p.villages.filter((v): v is string => typeof v === 'string') : []
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined)
  return {
    sub: p.sub,
    role: p.role,
    villages,
    county: str(p.county),
    township: str(p.township),
    pid: str(p.pid),
    scope: str(p.scope),
    exp: typeof p.exp === 'number' ? p.exp : undefined,
  }
}

/** True when the token expires within `marginSeconds` of `nowMs` (or has no expiry we can read). */
export function expiresSoon(claims: Claims | null, nowMs: number, marginSeconds = 30): boolean {
  if (!claims || claims.exp === undefined) return true
  return claims.exp * 1000 - nowMs <= marginSeconds * 1000
}
