import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError, publicGet, request, setAuthLostHandler } from './http'
import { clearSession, saveSession, session } from './session'

function b64url(s: string): string {
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
function jwt(name: string, expInSeconds = 900): string {
  const exp = Math.floor(Date.now() / 1000) + expInSeconds
  return `${b64url('{"alg":"EdDSA"}')}.${b64url(JSON.stringify({ sub: name, role: 'resident', villages: [], exp }))}.sig`
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

interface Call {
  url: string
  auth: string | null
  body: string | null
}

describe('request: the access token and its refresh', () => {
  const calls: Call[] = []
  let refreshes = 0
  let valid = ''

  beforeEach(() => {
    calls.length = 0
    refreshes = 0
    valid = jwt('second')
    saveSession({ access: jwt('first'), refresh: 'refresh-1', username: 'demo' })
    vi.stubGlobal('fetch', async (input: string, init: RequestInit) => {
      const headers = (init.headers ?? {}) as Record<string, string>
      const body = init.body ? String(init.body) : null
      calls.push({ url: input, auth: headers.Authorization ?? null, body })
      if (input.endsWith('/auth/token')) {
        refreshes++
        await new Promise((r) => setTimeout(r, 10))
        if (!body?.includes('refresh_token=refresh-1')) return json(401, { status: 401, detail: 'refresh token used' })
        return json(200, { access_token: valid, refresh_token: 'refresh-2', expires_in: 900 })
      }
      if (headers.Authorization === `Bearer ${valid}`) return json(200, { ok: input })
      return json(401, { status: 401, title: 'Unauthorized', detail: 'token expired' })
    })
  })

  afterEach(() => {
    vi.unstubAllGlobals()
    clearSession()
  })

  it('refreshes once for requests that fail together, and retries each with the new token', async () => {
    const answers = await Promise.all([request('/a'), request('/b'), request('/c')])
    expect(answers).toEqual([{ ok: '/api/v1/a' }, { ok: '/api/v1/b' }, { ok: '/api/v1/c' }])
    expect(refreshes).toBe(1)
    expect(session.current?.refresh).toBe('refresh-2')
    expect(session.current?.username).toBe('demo')
    const retried = calls.filter((c) => c.auth === `Bearer ${valid}`).map((c) => c.url).sort()
    expect(retried).toEqual(['/api/v1/a', '/api/v1/b', '/api/v1/c'])
  })

  it('refreshes before the call when the token is about to expire', async () => {
    saveSession({ access: jwt('first', 5), refresh: 'refresh-1', username: 'demo' })
    await request('/a')
    expect(refreshes).toBe(1)
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/auth/token', '/api/v1/a'])
  })

  it('gives up, forgets the session and says so when the refresh is refused', async () => {
    saveSession({ access: jwt('first'), refresh: 'stolen', username: 'demo' })
    const lost = vi.fn()
    setAuthLostHandler(lost)
    const failure = await request('/a').catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(ApiError)
    expect((failure as ApiError).status).toBe(401)
    expect(lost).toHaveBeenCalledOnce()
    expect(session.current).toBeNull()
    setAuthLostHandler(() => {})
  })

  it('sends no token on the public reads', async () => {
    await publicGet('/public/villages').catch(() => undefined)
    expect(calls).toHaveLength(1)
    expect(calls[0]?.auth).toBeNull()
  })

  it('turns a problem+json answer into an ApiError with its detail', async () => {
    vi.stubGlobal('fetch', async () => json(403, { status: 403, title: 'Forbidden', detail: 'village 141121100202 is outside your scope' }))
    const failure = (await request('/x').catch((e: unknown) => e)) as ApiError
    expect(failure.forbidden).toBe(true)
    expect(failure.message).toBe('village 141121100202 is outside your scope')
  })
})
