import { get } from './http'
import type { Announcement, Coverage, PartyStats, Ranked } from './types'

const base = (v: string) => `/villages/${v}/party`

export const partyStats = (v: string) => get<PartyStats>(`${base(v)}/statistics`)
export const coverage = (v: string) => get<Coverage>(`${base(v)}/coverage`)
export const rankings = (v: string, period?: number) => get<Ranked[]>(`${base(v)}/points/rankings`, { period })
export const announcements = (v: string) => get<Announcement[]>(`${base(v)}/announcements`)
