import { computed, reactive } from 'vue'
import { decodeJwtPayload, type Claims } from '@/lib/jwt'

export interface StoredSession {
  access: string
  refresh: string
  username: string
}

// localStorage so a reload (or a second tab) stays logged in; the storage event below keeps
// tabs in step when one of them refreshes or logs out.
const KEY = 'xz.session.v1'

function read(): StoredSession | null {
  try {
    const raw = localStorage.getItem(KEY)
    if (!raw) return null
    const s = JSON.parse(raw) as Partial<StoredSession>
    return typeof s.access === 'string' && typeof s.refresh === 'string'
      ? { access: s.access, refresh: s.refresh, username: s.username ?? '' }
      : null
  } catch {
    return null
  }
}

const state = reactive<{ current: StoredSession | null }>({ current: read() })

if (typeof window !== 'undefined') {
  window.addEventListener('storage', (e) => {
    if (e.key === KEY || e.key === null) state.current = read()
  })
}

export const session = {
  get current(): StoredSession | null {
    return state.current
  },
  /** The refresh token as stored now: another tab may have rotated it since we loaded. */
  latestRefreshToken(): string | null {
    return read()?.refresh ?? state.current?.refresh ?? null
  },
}

export const claims = computed<Claims | null>(() => decodeJwtPayload(state.current?.access))
export const username = computed(() => state.current?.username ?? '')
export const loggedIn = computed(() => claims.value !== null)

export function saveSession(next: StoredSession): void {
  state.current = next
  try {
    localStorage.setItem(KEY, JSON.stringify(next))
  } catch {
    // private mode: the session lives in memory only
  }
}

export function clearSession(): void {
  state.current = null
  try {
    localStorage.removeItem(KEY)
  } catch {
    // nothing stored
  }
}
