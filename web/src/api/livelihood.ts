import { get } from './http'
import type { LivelihoodStats, Page, PracticalThing, RemediationTotal, Works } from './types'

const base = (v: string) => `/villages/${v}/livelihood`

export const livelihoodStats = (v: string) => get<LivelihoodStats>(`${base(v)}/statistics`)
export const works = (v: string, q: { stage?: string; limit?: number; offset?: number } = {}) =>
  get<Page<Works>>(`${base(v)}/works`, q)
export const remediation = (v: string) => get<RemediationTotal[]>(`${base(v)}/remediation`)
export const practicalThings = (v: string, q: { overdue?: boolean; limit?: number; offset?: number } = {}) =>
  get<Page<PracticalThing>>(`${base(v)}/practical-things`, { ...q, overdue: q.overdue ? true : undefined })
