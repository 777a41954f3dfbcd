// The platform speaks in codes; people read Chinese. Unknown codes fall back to the code
// itself so a value the lead adds later still shows rather than disappearing.

export type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'info'

function lookup(table: Readonly<Record<string, string>>, code: string | null | undefined): string {
  if (code == null || code === '') return '—'
  return table[code] ?? code
}

export const ISSUE_STATUS: Readonly<Record<string, string>> = {
  new: '新建',
  raised: '待受理',
  assigned: '处理中',
  escalated: '已上报',
  resolved: '已办结',
  confirmed: '已确认',
  reopened: '重新办理',
  closed: '已关闭',
}

const ISSUE_STATUS_TAG: Readonly<Record<string, TagType>> = {
  raised: 'warning',
  assigned: 'primary',
  escalated: 'danger',
  resolved: 'success',
  confirmed: 'success',
  reopened: 'warning',
  closed: 'info',
}

/** Statuses in which the village still owes the resident an answer (the SLA clock runs). */
export const OPEN_ISSUE_STATUSES: readonly string[] = ['raised', 'assigned', 'escalated', 'reopened']

export function issueStatusLabel(status: string | null | undefined): string {
  return lookup(ISSUE_STATUS, status)
}

export function issueStatusTag(status: string | null | undefined): TagType {
  return (status && ISSUE_STATUS_TAG[status]) || 'info'
}

export const ESCALATION_LEVEL: Readonly<Record<string, string>> = {
  village_committee: '村委会',
  township: '乡镇',
  county: '县级',
}

export interface IssueCategory {
  code: string
  name: string
  group: string
  slaHours: number
}

// Grid's catalogue (services/grid/grid/domain/catalogue.py); Open311's services list says the same.
export const ISSUE_CATEGORIES: readonly IssueCategory[] = [
  { code: 'drainage', name: '下水排水', group: '民生工程', slaHours: 72 },
  { code: 'water_leak', name: '漏水点', group: '民生工程', slaHours: 48 },
  { code: 'road', name: '道路破损', group: '民生工程', slaHours: 168 },
  { code: 'street_light', name: '路灯照明', group: '民生工程', slaHours: 72 },
  { code: 'garbage', name: '垃圾清运', group: '人居环境', slaHours: 24 },
  { code: 'sanitation', name: '环境卫生', group: '人居环境', slaHours: 48 },
  { code: 'illegal_building', name: '违章建筑', group: '人居环境', slaHours: 168 },
  { code: 'dispute', name: '矛盾纠纷', group: '平安建设', slaHours: 120 },
  { code: 'safety_hazard', name: '安全隐患', group: '平安建设', slaHours: 24 },
  { code: 'elderly_care', name: '老人照料', group: '为民服务', slaHours: 48 },
  { code: 'other', name: '其他诉求', group: '为民服务', slaHours: 120 },
]

export function issueCategoryLabel(code: string | null | undefined): string {
  return lookup(Object.fromEntries(ISSUE_CATEGORIES.map((c) => [c.code, c.name])), code)
}

export const ROLE_LABELS: Readonly<Record<string, string>> = {
  county_admin: '县级管理员',
  township_officer: '乡镇干部',
  village_secretary: '村党支部书记',
  village_staff: '村两委成员',
  grid_worker: '网格员',
  resident: '村民',
  api_client: '接口客户端',
}

export function roleLabel(role: string | null | undefined): string {
  return lookup(ROLE_LABELS, role)
}

export const SERVICE_LABELS: Readonly<Record<string, string>> = {
  grid: '网格治理',
  party: '党建积分',
  economy: '集体经济',
  livelihood: '民生实事',
  gateway: '网关',
}

export function serviceLabel(service: string): string {
  return lookup(SERVICE_LABELS, service)
}

export const CHIEF_ROLES: readonly { code: string; name: string }[] = [
  { code: 'grid_chief', name: '网格长' },
  { code: 'party_group_leader', name: '党小组长' },
  { code: 'villager_group_leader', name: '村民小组长' },
]

export const TEAM_KIND: Readonly<Record<string, string>> = {
  emergency_rescue: '应急救援',
  daily_service: '日常服务',
  dispute_mediation: '矛盾调解',
  environment: '环境整治',
  elderly_care: '关爱老人',
  culture: '文化宣传',
  safety_patrol: '治安巡逻',
  other: '其他',
}

export const WORKS_STAGE: Readonly<Record<string, string>> = {
  proposed: '已立项',
  approved: '已批准',
  in_progress: '施工中',
  completed: '已完工',
  accepted: '已验收',
}
export const WORKS_STAGE_ORDER: readonly string[] = ['proposed', 'approved', 'in_progress', 'completed', 'accepted']

const WORKS_STAGE_TAG: Readonly<Record<string, TagType>> = {
  proposed: 'info',
  approved: 'primary',
  in_progress: 'warning',
  completed: 'success',
  accepted: 'success',
}

export function worksStageLabel(stage: string | null | undefined): string {
  return lookup(WORKS_STAGE, stage)
}
export function worksStageTag(stage: string | null | undefined): TagType {
  return (stage && WORKS_STAGE_TAG[stage]) || 'info'
}

export const WORKS_CATEGORY: Readonly<Record<string, string>> = {
  drainage: '下水管网',
  road: '道路硬化',
  field_road: '田间道路',
  leak_repair: '漏水维修',
  service_centre: '党群服务中心',
  elderly_care: '日间照料中心',
  park: '公园',
  square: '广场',
  wall_painting: '墙体粉刷',
  mural: '文化墙绘',
  ruined_wall: '残垣断壁整治',
  other: '其他',
}

export function worksCategoryLabel(code: string | null | undefined): string {
  return lookup(WORKS_CATEGORY, code)
}

export const UNITS: Readonly<Record<string, string>> = {
  m: '米',
  m2: '平方米',
  m3: '立方米',
  spot: '处',
  item: '项',
}

export function unitLabel(unit: string | null | undefined): string {
  return unit == null ? '' : (UNITS[unit] ?? unit)
}

export const REMEDIATION_KIND: Readonly<Record<string, string>> = {
  garbage_point_removed: '清除垃圾点',
  garbage_cleared: '清运垃圾',
  weeds_cleared: '清除杂草',
  illegal_building_demolished: '拆除违章建筑',
  ruined_wall_removed: '拆除残垣断壁',
  wall_painted: '粉刷墙体',
  mural_painted: '绘制文化墙',
  park_built: '建成公园',
  square_built: '建成广场',
}

export function remediationKindLabel(kind: string | null | undefined): string {
  return lookup(REMEDIATION_KIND, kind)
}

export const INCOME_SOURCE: Readonly<Record<string, string>> = {
  contract_fee: '承包费',
  arrears: '追缴欠款',
  enterprise: '企业上缴',
  tourism: '乡村旅游',
  subsidy: '补助',
  cooperative_dividend: '合作社分红',
  other: '其他',
}

/** The source in Chinese; economy's own labels carry an English gloss "(…)" that is dropped. */
export function incomeSourceLabel(source: string, label?: string | null): string {
  const known = INCOME_SOURCE[source]
  if (known) return known
  if (label) return label.replace(/\s*\([^)]*\)\s*$/, '') || source
  return source
}

export const CONTRACT_STATUS: Readonly<Record<string, string>> = {
  registered: '已登记',
  reviewed: '已审查',
  rectifying: '整改中',
  cleared: '已清理',
}

export function contractStatusLabel(status: string | null | undefined): string {
  return lookup(CONTRACT_STATUS, status)
}

export const ASSET_KIND: Readonly<Record<string, string>> = {
  farmland: '耕地',
  construction_land: '建设用地',
  pond: '坑塘水面',
  building: '房屋',
  forest: '林地',
  other: '其他',
}

export function assetKindLabel(kind: string | null | undefined): string {
  return lookup(ASSET_KIND, kind)
}

export const FINDING: Readonly<Record<string, string>> = {
  below_market_price: '低于市场价',
  expired: '合同已到期',
  no_written_contract: '无书面合同',
  fee_arrears: '拖欠承包费',
  unauthorised_use: '擅自改变用途',
  no_four_two_procedure: '未履行四议两公开',
}

export const DELIBERATION_KIND: Readonly<Record<string, string>> = {
  sentiment_talk: '民情恳谈',
  villager_deliberation: '百姓议事',
  women_deliberation: '妇女议事',
}

export function deliberationKindLabel(kind: string | null | undefined): string {
  return lookup(DELIBERATION_KIND, kind)
}

export const NOTICE_STATE: Readonly<Record<string, string>> = {
  published: '公示中',
  closed: '公示结束',
}

export function noticeStateLabel(state: string | null | undefined): string {
  return lookup(NOTICE_STATE, state)
}
