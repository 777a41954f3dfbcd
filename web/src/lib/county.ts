// The county table's rows, built from the villages list and the county summary, and the
// filtering and sorting the table applies to all of them before paging.
import type { CountySummary, RemediationTotal, Village, VillageSummary } from '@/api/types'
import { compareDecimal, sumDecimals } from './decimal'
import { remediationKindLabel, WORKS_STAGE_ORDER } from './labels'

export interface CoverageCell {
  grids: number
  covered: number
}

export interface CountyRow {
  code: string
  name: string
  township: string
  raised: number | null
  resolved: number | null
  resolvedWithinSla: number | null
  overdue: number | null
  coverage: CoverageCell | null
  stars: Record<string, number> | null
  membersScored: number | null
  contractsCleared: number | null
  contractsRegistered: number | null
  /** collective income over the years the summary reports, as a decimal string */
  income: string | null
  worksByStage: Record<string, number> | null
  worksTotal: number | null
  remediation: RemediationTotal[] | null
}

export interface YearSpan {
  from: number
  to: number
}

/** The years the summary's income covers: the income column adds them up. */
export function incomeYears(summary: CountySummary | null | undefined): YearSpan | null {
  let span: YearSpan | null = null
  for (const v of summary?.villages ?? []) {
    for (const y of v.services.economy?.income_by_year ?? []) {
      span = span ? { from: Math.min(span.from, y.year), to: Math.max(span.to, y.year) } : { from: y.year, to: y.year }
    }
  }
  return span
}

/** "2026年" or "2024–2026年" */
export function yearSpanText(span: YearSpan | null): string {
  if (!span) return ''
  return span.from === span.to ? `${span.to}年` : `${span.from}–${span.to}年`
}

function coverageOf(v: VillageSummary | undefined): CoverageCell | null {
  const c = v?.services.party?.coverage
  return c ? { grids: c.grids, covered: c.covered } : null
}

export function buildCountyRows(villages: readonly Village[], summary: CountySummary | null | undefined): CountyRow[] {
  const byCode = new Map((summary?.villages ?? []).map((v) => [v.code, v]))
  // Villages the summary knows but the list does not (or no list yet) still get a row.
  const all = new Map<string, string>(villages.map((v) => [v.code, v.name]))
  for (const v of summary?.villages ?? []) if (!all.has(v.code)) all.set(v.code, v.name)

  return [...all.entries()].map(([code, name]) => {
    const s = byCode.get(code)
    const grid = s?.services.grid
    const party = s?.services.party
    const economy = s?.services.economy
    const livelihood = s?.services.livelihood
    let worksByStage: Record<string, number> | null = null
    if (livelihood) {
      worksByStage = {}
      for (const w of livelihood.works) worksByStage[w.stage] = (worksByStage[w.stage] ?? 0) + w.works
    }
    return {
      code,
      name,
      township: code.slice(0, 9),
      raised: grid?.issues.raised ?? null,
      resolved: grid?.issues.resolved ?? null,
      resolvedWithinSla: grid?.issues.resolved_within_sla ?? null,
      overdue: grid?.issues.overdue ?? null,
      coverage: coverageOf(s),
      stars: party?.stars ?? null,
      membersScored: party?.members_scored ?? null,
      contractsCleared: economy?.contracts.cleared ?? null,
      contractsRegistered: economy?.contracts.registered ?? null,
      income: economy ? sumDecimals(economy.income_by_year.map((y) => y.total_yuan)) : null,
      worksByStage,
      worksTotal: worksByStage ? Object.values(worksByStage).reduce((a, b) => a + b, 0) : null,
      remediation: livelihood?.remediation ?? null,
    }
  })
}

/** Matches the village's name, its code or its township's code. */
export function filterRows(rows: readonly CountyRow[], text: string): CountyRow[] {
  const q = text.trim().toLowerCase()
  if (!q) return [...rows]
  return rows.filter((r) => r.name.toLowerCase().includes(q) || r.code.includes(q) || r.township.includes(q))
}

export type SortKey =
  | 'name'
  | 'raised'
  | 'resolvedWithinSla'
  | 'overdue'
  | 'coverage'
  | 'stars'
  | 'contracts'
  | 'income'
  | 'works'
  | 'remediation'

function ratio(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : b === 0 ? 0 : a / b
}

function highStars(s: Record<string, number> | null): number | null {
  return s ? (s['5'] ?? 0) + (s['4'] ?? 0) : null
}

function remediationCount(r: RemediationTotal[] | null): number | null {
  return r ? r.reduce((a, t) => a + t.count, 0) : null
}

function numberKey(row: CountyRow, key: SortKey): number | null {
  switch (key) {
    case 'raised':
      return row.raised
    case 'resolvedWithinSla':
      return row.resolvedWithinSla
    case 'overdue':
      return row.overdue
    case 'coverage':
      return row.coverage ? ratio(row.coverage.covered, row.coverage.grids) : null
    case 'stars':
      return highStars(row.stars)
    case 'contracts':
      return ratio(row.contractsCleared, row.contractsRegistered)
    case 'works':
      return row.worksTotal
    case 'remediation':
      return remediationCount(row.remediation)
    default:
      return null
  }
}

function nullsLast(a: unknown, b: unknown): number | null {
  if (a === null && b === null) return 0
  if (a === null) return 1
  if (b === null) return -1
  return null
}

/** Sorted copy; villages without the figure go last whichever the direction. */
export function sortRows(rows: readonly CountyRow[], key: SortKey | null, order: 'ascending' | 'descending' | null): CountyRow[] {
  const out = [...rows]
  if (!key || !order) return out
  const dir = order === 'ascending' ? 1 : -1
  out.sort((x, y) => {
    if (key === 'name') return dir * x.name.localeCompare(y.name, 'zh-CN')
    if (key === 'income') {
      const n = nullsLast(x.income, y.income)
      return n ?? dir * compareDecimal(x.income, y.income)
    }
    const a = numberKey(x, key)
    const b = numberKey(y, key)
    const n = nullsLast(a, b)
    return n ?? dir * ((a as number) - (b as number))
  })
  return out
}

export function worksStageSummary(byStage: Record<string, number> | null, label: (s: string) => string): string {
  if (!byStage) return '—'
  const known = WORKS_STAGE_ORDER.filter((s) => byStage[s])
  const other = Object.keys(byStage).filter((s) => !WORKS_STAGE_ORDER.includes(s) && byStage[s])
  const parts = [...known, ...other].map((s) => `${label(s)}${byStage[s]}`)
  return parts.length ? parts.join(' · ') : '无'
}

/** "清除杂草720 · 拆除违章建筑43 等9类" */
export function remediationSummary(r: RemediationTotal[] | null): string {
  if (!r) return '—'
  if (r.length === 0) return '无'
  const top = [...r].sort((a, b) => b.count - a.count).slice(0, 2)
  const text = top.map((t) => `${remediationKindLabel(t.kind)}${t.count}`).join(' · ')
  return r.length > 2 ? `${text} 等${r.length}类` : text
}

/** The county's total income, exactly. */
export function totalIncome(rows: readonly CountyRow[]): string {
  return sumDecimals(rows.map((r) => r.income))
}
