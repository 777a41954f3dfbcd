import { ApiError, request } from './http'
import { clearSession, saveSession, session } from './session'
import type { TokenAnswer } from './types'

export async function login(username: string, password: string): Promise<void> {
  try {
    const answer = await request<TokenAnswer>('/auth/token', {
      auth: false,
      form: { grant_type: 'password', username, password },
    })
    saveSession({ access: answer.access_token, refresh: answer.refresh_token, username })
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 400)) {
      throw new ApiError(e.status, { status: e.status, detail: '用户名或密码错误' })
    }
    throw e
  }
}

/** Revokes the refresh token (best effort) and forgets the session either way. */
export async function logout(): Promise<void> {
  const refresh = session.latestRefreshToken()
  clearSession()
  if (!refresh) return
  try {
    await request<unknown>('/auth/revoke', { auth: false, form: { refresh_token: refresh } })
  } catch {
    // the session is gone here whatever the gateway says
  }
}
