import { get, post } from './http'
import type { Accepted, ConfirmIssue, GridStats, GridView, Issue, Page, RaiseIssue, TeamView } from './types'

const base = (v: string) => `/villages/${v}/grid`

export interface IssueQuery {
  status?: string
  overdue?: boolean
  limit?: number
  offset?: number
  /** only the issues the caller raised (the token's person) */
  mine?: boolean
  /** a command's consistency token: the read waits until it reflects the command */
  consistency?: string
}

export const gridStats = (v: string) => get<GridStats>(`${base(v)}/statistics`)
export const grids = (v: string) => get<GridView[]>(`${base(v)}/grids`)
export const volunteerTeams = (v: string) => get<TeamView[]>(`${base(v)}/volunteer-teams`)
export const issues = (v: string, q: IssueQuery = {}) =>
  get<Page<Issue>>(`${base(v)}/issues`, { ...q, overdue: q.overdue ? true : undefined, mine: q.mine ? true : undefined })
export const issue = (v: string, id: string, consistency?: string) =>
  get<Issue>(`${base(v)}/issues/${encodeURIComponent(id)}`, { consistency })
export const raiseIssue = (v: string, body: RaiseIssue) => post<Accepted>(`${base(v)}/issues`, body)
export const confirmIssue = (v: string, id: string, body: ConfirmIssue) =>
  post<Accepted>(`${base(v)}/issues/${encodeURIComponent(id)}/confirm`, body)
