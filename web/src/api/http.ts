import { expiresSoon, decodeJwtPayload } from '@/lib/jwt'
import { isProblem, problemMessage, type Problem } from '@/lib/problem'
import { singleFlight } from '@/lib/singleFlight'
import { clearSession, saveSession, session } from './session'
import type { TokenAnswer } from './types'

export const API = '/api/v1'

export class ApiError extends Error {
  readonly status: number
  readonly problem: Problem | null

  constructor(status: number, problem: Problem | null) {
    super(problemMessage(problem, status || undefined))
    this.name = 'ApiError'
    this.status = status
    this.problem = problem
  }

  get forbidden(): boolean {
    return this.status === 403
  }

  get notFound(): boolean {
    return this.status === 404
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE'
  query?: Query
  json?: unknown
  form?: Record<string, string>
  /** false for the public reads: no Authorization header at all */
  auth?: boolean
  signal?: AbortSignal
}

let onAuthLost: () => void = () => {}

/** What to do when the session cannot be renewed (the router sends the user to /login). */
export function setAuthLostHandler(handler: () => void): void {
  onAuthLost = handler
}

export function apiUrl(path: string, query?: Query): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v))
  }
  const qs = params.toString()
  return `${API}${path}${qs ? `?${qs}` : ''}`
}

async function send(path: string, opts: RequestOptions, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' }
  let body: BodyInit | undefined
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.json)
  } else if (opts.form) {
    body = new URLSearchParams(opts.form)
  }
  if (token) headers.Authorization = `Bearer ${token}`
  try {
    return await fetch(apiUrl(path, opts.query), {
      method: opts.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      signal: opts.signal,
      credentials: 'omit',
    })
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e
    throw new ApiError(0, null)
  }
}

async function parse<T>(res: Response): Promise<T> {
  const text = await res.text()
  let body: unknown = undefined
  if (text) {
    try {
      body = JSON.parse(text)
    } catch {
      body = text
    }
  }
  if (!res.ok) throw new ApiError(res.status, isProblem(body) ? body : null)
  return body as T
}

/** Exchanges the refresh token for a new pair. Shared by concurrent callers: see singleFlight. */
const refreshTokens = singleFlight(async (): Promise<string> => {
  const refresh = session.latestRefreshToken()
  if (!refresh) throw new ApiError(401, null)
  const res = await send('/auth/token', { form: { grant_type: 'refresh_token', refresh_token: refresh } }, null)
  const answer = await parse<TokenAnswer>(res)
  saveSession({ access: answer.access_token, refresh: answer.refresh_token, username: session.current?.username ?? '' })
  return answer.access_token
})

function authLost(): ApiError {
  clearSession()
  onAuthLost()
  return new ApiError(401, { status: 401, detail: '登录已失效，请重新登录' })
}

async function freshAccessToken(): Promise<string> {
  const current = session.current?.access
  if (!current) throw authLost()
  if (!expiresSoon(decodeJwtPayload(current), Date.now())) return current
  try {
    return await refreshTokens()
  } catch {
    throw authLost()
  }
}

/** Calls the gateway; with a token unless `auth: false`, refreshing once on a 401. */
export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  if (opts.auth === false) return parse<T>(await send(path, opts, null))

  const token = await freshAccessToken()
  let res = await send(path, opts, token)
  if (res.status === 401) {
    let retryWith: string
    const now = session.current?.access
    if (now && now !== token) {
      // another request renewed the session meanwhile
      retryWith = now
    } else {
      try {
        retryWith = await refreshTokens()
      } catch {
        throw authLost()
      }
    }
    res = await send(path, opts, retryWith)
    if (res.status === 401) throw authLost()
  }
  return parse<T>(res)
}

export function get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
  return request<T>(path, { query, signal })
}

export function post<T>(path: string, json: unknown): Promise<T> {
  return request<T>(path, { method: 'POST', json })
}

export function publicGet<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
  return request<T>(path, { query, signal, auth: false })
}

/** For reads the lead is still adding: a 404 means "nothing yet", not an error. */
export async function orEmpty<T>(call: Promise<T>, empty: T): Promise<T> {
  try {
    return await call
  } catch (e) {
    if (e instanceof ApiError && e.notFound) return empty
    throw e
  }
}
