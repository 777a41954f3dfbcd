// Villages and their people are in China: times show in Beijing time whatever the browser's zone.
const ZONE = 'Asia/Shanghai'

const dateTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
})

function parts(d: Date): Record<string, string> {
  return Object.fromEntries(dateTime.formatToParts(d).map((p) => [p.type, p.value]))
}

/** "2026-11-29T23:57:20Z" → "2026-11-30 07:57"; "—" for nothing. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const p = parts(d)
  const hour = p.hour === '24' ? '00' : p.hour
  return `${p.year}-${p.month}-${p.day} ${hour}:${p.minute}`
}

/** A calendar date as the API writes it ("2026-06-30") stays as it is; a timestamp shows its Beijing date. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return '—'
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value
  return formatDateTime(value).slice(0, 10)
}

/** The quarter (1–4) just finished before `now`, and its year: what a village last published. */
export function lastClosedQuarter(now: Date): { year: number; quarter: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: ZONE, year: 'numeric', month: 'numeric' }).formatToParts(now)
  const year = Number(parts.find((p) => p.type === 'year')?.value)
  const month = Number(parts.find((p) => p.type === 'month')?.value)
  const current = Math.floor((month - 1) / 3) + 1
  return current === 1 ? { year: year - 1, quarter: 4 } : { year, quarter: current - 1 }
}
