import { get } from './http'
import type { CountySummary, Village } from './types'

export const countyVillages = (county: string) => get<Village[]>(`/counties/${county}/villages`)
export const countySummary = (county: string) => get<CountySummary>(`/counties/${county}/summary`)
