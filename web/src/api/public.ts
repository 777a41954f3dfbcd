// 村务公开: reads anyone may make. No token is sent, even when someone is logged in.
import { apiUrl, orEmpty, publicGet } from './http'
import type { Announcement, FinanceStatement, PointsNotice, Village } from './types'

const base = (v: string) => `/public/villages/${v}`

export const publicVillages = () => orEmpty(publicGet<Village[]>('/public/villages'), [])
export const publicAnnouncements = (v: string) => publicGet<Announcement[]>(`${base(v)}/party/announcements`)
export const publicNotices = (v: string) => orEmpty(publicGet<PointsNotice[]>(`${base(v)}/party/points/notices`), [])
export const publicFinance = (v: string, year: number, quarter: number) =>
  publicGet<FinanceStatement>(`${base(v)}/economy/finance/${year}/${quarter}`, { format: 'json' })

/** A link the browser downloads itself (the gateway sends Content-Disposition). */
export const financeDownloadUrl = (v: string, year: number, quarter: number, format: 'csv' | 'xlsx') =>
  apiUrl(`${base(v)}/economy/finance/${year}/${quarter}`, { format })
