/** One month's figures of the trend chart; a month missing from a series stays null (a gap). */
export interface MonthRow {
  month: string
  raised: number | null
  resolved: number | null
  income: number | null
}

export interface IssuesMonth {
  month: string
  raised: number
  resolved: number
}

/** economy answers `amount_yuan`; the brief first named it `amount`: either is read. */
export interface IncomeMonth {
  month: string
  amount_yuan?: string
  amount?: string
}

const MONTH = /^\d{4}-\d{2}$/

/** Joins grid's issues_by_month and economy's income_by_month on the month, oldest first. */
export function mergeMonths(issues: readonly IssuesMonth[] | null | undefined, income: readonly IncomeMonth[] | null | undefined): MonthRow[] {
  const rows = new Map<string, MonthRow>()
  const row = (month: string): MonthRow => {
    let r = rows.get(month)
    if (!r) {
      r = { month, raised: null, resolved: null, income: null }
      rows.set(month, r)
    }
    return r
  }
  for (const m of issues ?? []) {
    if (!MONTH.test(m.month)) continue
    const r = row(m.month)
    r.raised = Number(m.raised) || 0
    r.resolved = Number(m.resolved) || 0
  }
  for (const m of income ?? []) {
    if (!MONTH.test(m.month)) continue
    // For the chart only: a float is acceptable on an axis, never in a table.
    const n = Number(m.amount_yuan ?? m.amount)
    row(m.month).income = Number.isFinite(n) ? n : null
  }
  return [...rows.values()].sort((a, b) => a.month.localeCompare(b.month))
}

/** "2026-03" → "2026年3月" */
export function monthLabel(month: string): string {
  const m = MONTH.exec(month) ? month.split('-') : null
  return m ? `${m[0]}年${Number(m[1])}月` : month
}
