import { get } from './http'
import type { Campaign, Contract, EconomyStats, IncomeYear, Page, YearTotals } from './types'

const base = (v: string) => `/villages/${v}/economy`

export const economyStats = (v: string) => get<EconomyStats>(`${base(v)}/statistics`)
export const contracts = (v: string, q: { status?: string; limit?: number; offset?: number } = {}) =>
  get<Page<Contract>>(`${base(v)}/contracts`, q)
export const campaigns = (v: string) => get<Campaign[]>(`${base(v)}/campaigns`)
export const incomeYears = (v: string) => get<YearTotals[]>(`${base(v)}/income/years`)
export const income = (v: string, year: number, q: { limit?: number; offset?: number } = {}) =>
  get<IncomeYear>(`${base(v)}/income`, { year, ...q })
