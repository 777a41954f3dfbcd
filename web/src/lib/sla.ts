import { OPEN_ISSUE_STATUSES } from './labels'

export type SlaState = 'done' | 'ok' | 'soon' | 'overdue' | 'unknown'

export interface SlaClock {
  state: SlaState
  text: string
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
/** Under this much time left the clock turns amber. */
export const SLA_WARNING_MS = 4 * HOUR

/** "2天3小时", "5小时12分", "8分钟": the two largest units, never finer than minutes. */
export function formatSpan(ms: number): string {
  const abs = Math.max(0, Math.abs(ms))
  const days = Math.floor(abs / DAY)
  const hours = Math.floor((abs % DAY) / HOUR)
  const minutes = Math.floor((abs % HOUR) / MINUTE)
  if (days > 0) return hours > 0 ? `${days}天${hours}小时` : `${days}天`
  if (hours > 0) return minutes > 0 ? `${hours}小时${minutes}分` : `${hours}小时`
  return minutes > 0 ? `${minutes}分钟` : '不到1分钟'
}

/** What the SLA clock of an issue shows at `now` (ms since the epoch). */
export function slaClock(dueAt: string | null | undefined, now: number, status: string): SlaClock {
  if (!OPEN_ISSUE_STATUSES.includes(status)) return { state: 'done', text: '已办结' }
  const due = dueAt ? Date.parse(dueAt) : NaN
  if (Number.isNaN(due)) return { state: 'unknown', text: '—' }
  const left = due - now
  if (left < 0) return { state: 'overdue', text: `已超期 ${formatSpan(left)}` }
  return { state: left < SLA_WARNING_MS ? 'soon' : 'ok', text: `剩余 ${formatSpan(left)}` }
}
