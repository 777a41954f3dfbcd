import type { IncomeMonth } from '@/lib/months'

export type { IncomeMonth }

// The shapes this dashboard reads, as the gateway answers them (see /openapi.json).
// Money, areas and quantities are decimal strings; fields the lead is still adding are optional.

export interface Page<T> {
  items: T[]
  total: number
  limit: number
  offset: number
}

export interface Village {
  code: string
  name: string
}

export interface Accepted {
  id: string
  version: number
  consistency_token?: string | null
}

export interface TokenAnswer {
  access_token: string
  expires_in: number
  refresh_token: string
  token_type?: string
}

// grid

export interface IssueStats {
  raised: number
  resolved: number
  open: number
  overdue: number
  resolution_rate: string | null
  median_response_hours: string | null
  median_resolution_hours: string | null
  mean_satisfaction: string | null
  confirmed: number
  /** being added by the lead */
  resolved_within_sla?: number
}

export interface IssuesMonth {
  month: string
  raised: number
  resolved: number
}

export interface GridStats {
  village: string
  grids: number
  micro_grids: number
  households: number
  chiefs: number
  grids_with_three_chiefs: number
  volunteer_teams: number
  volunteers: number
  volunteer_hours: string
  issues: IssueStats
  as_of: string
  /** being added by the lead */
  issues_by_month?: IssuesMonth[]
}

export interface Chief {
  role: string
  person_id: string
  name: string
  is_party_member: boolean
  party_member_id: string | null
  since: string
}

export interface GridView {
  grid_id: string
  name: string
  level: 'grid' | 'micro_grid' | string
  parent_id: string | null
  merged_from: string[]
  households: number
  chiefs: Chief[]
}

export interface TeamMember {
  person_id: string
  name: string
  background: string
  party_member_id: string | null
  hours: string
}

export interface TeamView {
  team_id: string
  name: string
  kind: string
  member_count: number
  hours: string
  members: TeamMember[]
}

export interface Issue {
  issue_id: string
  village: string
  grid_id: string
  category: string
  title: string
  description: string
  lat: string | null
  lon: string | null
  address: string | null
  raised_by: string | null
  anonymous: boolean
  channel: string
  status: string
  level: string | null
  assignee_kind: string | null
  assignee_id: string | null
  raised_at: string
  due_at: string
  first_assigned_at: string | null
  resolved_at: string | null
  confirmed_at: string | null
  closed_at: string | null
  updated_at: string
  resolution: string | null
  resolved_via: string | null
  works_id: string | null
  satisfaction: number | null
  duplicates: string[]
  version: number
}

export interface RaiseIssue {
  issue_id: string
  grid_id: string
  category: string
  title: string
  description: string
  location?: { lat: string; lon: string } | null
  address?: string | null
  channel: 'app'
}

export interface ConfirmIssue {
  satisfaction: number
  comment?: string | null
  expected_version?: number | null
}

// party

export interface PartyStats {
  village: string
  period: number
  members_scored: number
  points_total: string
  stars: Record<string, number>
  /** 党组织全覆盖: micro-grids, and those with a party group over them */
  coverage?: { grids: number; covered: number; complete: boolean }
}

export interface Coverage {
  village: string
  grids: number
  covered: string[]
  uncovered: string[]
  complete: boolean
}

export interface Ranked {
  member_id: string
  total: string
  stars: number
  rank: number
  name?: string | null
}

export interface Announcement {
  deliberation_id: string
  topic: string
  kind: string
  announcement: string
  published_at: string
}

export interface NoticeMember {
  rank: number
  member_id?: string
  name: string | null
  total: string
  stars: number
}

export interface NoticeObjection {
  objection_id: string
  member_name: string | null
  raised_at: string
  answered: boolean
  answer: string | null
  adjusted: boolean | null
  points: string | number | null
}

export interface PointsNotice {
  period: number | string
  published_at: string
  ends_at: string
  state: 'published' | 'closed' | string
  members: NoticeMember[]
  objections: NoticeObjection[]
}

// economy

export interface SourceTotal {
  source: string
  label: string
  amount_yuan: string
}

export interface YearTotals {
  year: number
  total_yuan: string
  by_source: SourceTotal[]
}


export interface ContractsFigures {
  registered: number
  cleared: number
  cleared_area_mu: string
  recovered_income_yuan: string
  in_rectification: number
}

export interface EconomyStats {
  village: string
  contracts: ContractsFigures
  income_by_year: YearTotals[]
  cooperatives: number
  enterprises: number
  villagers_employed: number
  /** being added by the lead */
  income_by_month?: IncomeMonth[]
}

export interface Contract {
  contract_id: string
  asset_id: string
  asset_kind: string
  contractor_id: string
  contractor_name: string
  area_mu: string
  annual_fee_yuan: string
  starts_on: string
  ends_on: string
  status: string
  campaign_id: string | null
  findings: string[]
  open_findings: string[]
  arrears_yuan: string
  recovered_yuan: string
}

export interface Campaign {
  campaign_id: string
  name: string
  year: number
  starts_on: string
  reviewed: number
  with_findings: number
  rectified: number
  cleared: number
  cleared_area_mu: string
  recovered_income_yuan: string
  arrears_recovered_yuan: string
  fee_increase_yuan: string
}

export interface IncomeEntry {
  entry_id: string
  source: string
  amount_yuan: string
  year: number
  received_on: string
  reference: string
}

export interface IncomeYear extends YearTotals {
  entries: IncomeEntry[]
  entries_total: number
  limit: number
  offset: number
}

export interface ClearedContract {
  contract_id: string
  asset_id: string
  asset_kind: string
  area_mu: string
  annual_fee_yuan: string
  recovered_income_yuan: string
  cleared_on: string
}

export interface FinanceStatement {
  village: string
  year: number
  quarter: number
  income: SourceTotal[]
  total_yuan: string
  cleared: ClearedContract[]
  cleared_area_mu: string
  recovered_income_yuan: string
}

// livelihood

export interface WorksFigures {
  stage: string
  category: string
  unit: string
  works: number
  planned: string
  done: string
  cost_yuan: string
}

export interface RemediationTotal {
  kind: string
  count: number
  quantity: string | null
  unit: string | null
}

export interface LivelihoodStats {
  village: string
  works: WorksFigures[]
  remediation: RemediationTotal[]
  practical_things: { done: number; overdue: number; open: number }
}

export interface Works {
  works_id: string
  category: string
  title: string
  unit: string
  planned_quantity: string
  budget_yuan: string
  stage: string
  funding: string[]
  funded_yuan: string
  contractor: string | null
  started_on: string | null
  quantity_done: string
  cost_yuan: string | null
  completed_on: string | null
}

export interface PracticalThing {
  item_id: string
  title: string
  owner_id: string
  deadline: string
  resident_id: string | null
  words: string | null
  done_on: string | null
  beneficiaries: number | null
  satisfied: boolean | null
}

// county

export type ServiceName = 'grid' | 'party' | 'economy' | 'livelihood'

export interface VillageSummary {
  code: string
  name: string
  services: {
    grid?: GridStats
    party?: PartyStats
    economy?: EconomyStats
    livelihood?: LivelihoodStats
  }
}

export interface CountySummary {
  county: string
  villages: VillageSummary[]
  partial: boolean
  unavailable: string[]
}
