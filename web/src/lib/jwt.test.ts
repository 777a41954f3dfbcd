import { describe, expect, it } from 'vitest'
import { decodeJwtPayload, expiresSoon } from './jwt'

function b64url(s: string): string {
  const binary = Array.from(new TextEncoder().encode(s), (b) => String.fromCharCode(b)).join('')
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
function token(payload: object): string {
  return `${b64url('{"alg":"EdDSA","typ":"JWT"}')}.${b64url(JSON.stringify(payload))}.c2lnbmF0dXJl`
}

describe('decodeJwtPayload', () => {
  it('reads the gateway claims', () => {
    const t = token({
      sub: '7b97', role: 'village_secretary', villages: ['141121100201'], scope: 'read write',
      pid: 'demo-p-141121100201-secretary', exp: 1795997614,
    })
    const c = decodeJwtPayload(t)
    expect(c?.role).toBe('village_secretary')
    expect(c?.villages).toEqual(['141121100201'])
    expect(c?.pid).toBe('demo-p-141121100201-secretary')
    expect(c?.county).toBeUndefined()
    expect(c?.exp).toBe(1795997614)
  })
  it('decodes UTF-8 and base64url characters', () => {
    // "?>?" encodes with '/' and '+' in plain base64: base64url must turn them back.
    const c = decodeJwtPayload(token({ sub: '?>?~~东庄村', role: 'resident', villages: [] }))
    expect(c?.sub).toBe('?>?~~东庄村')
  })
  it('reads a county administrator without villages', () => {
    const c = decodeJwtPayload(token({ sub: 'a', role: 'county_admin', villages: [], county: '141121' }))
    expect(c?.county).toBe('141121')
    expect(c?.villages).toEqual([])
  })
  it('refuses what is not a JWT', () => {
    expect(decodeJwtPayload('')).toBeNull()
    expect(decodeJwtPayload(null)).toBeNull()
    expect(decodeJwtPayload('a.b')).toBeNull()
    expect(decodeJwtPayload('a.!!!.c')).toBeNull()
    expect(decodeJwtPayload(token({ role: 'resident' }))).toBeNull()
  })
})

describe('expiresSoon', () => {
  it('compares the expiry with now and a margin', () => {
    const c = { sub: 'a', role: 'resident', villages: [], exp: 1000 }
    expect(expiresSoon(c, 900_000)).toBe(false)
    expect(expiresSoon(c, 975_000)).toBe(true)
    expect(expiresSoon({ ...c, exp: undefined }, 0)).toBe(true)
    expect(expiresSoon(null, 0)).toBe(true)
  })
})
