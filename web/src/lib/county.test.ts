import { describe, expect, it } from 'vitest'
import type { CountySummary } from '@/api/types'
import { buildCountyRows, filterRows, incomeYears, remediationSummary, sortRows, totalIncome, worksStageSummary, yearSpanText } from './county'
import { worksStageLabel } from './labels'

const summary = {
  county: '141121',
  partial: true,
  unavailable: ['livelihood'],
  villages: [
    {
      code: '141121100201',
      name: '东庄村',
      services: {
        grid: { issues: { raised: 12, resolved: 9, overdue: 0, resolved_within_sla: 8 } },
        party: { members_scored: 44, stars: { '0': 0, '1': 8, '2': 9, '3': 9, '4': 7, '5': 11 } },
        economy: {
          contracts: { registered: 98, cleared: 98 },
          income_by_year: [
            { year: 2025, total_yuan: '1.00', by_source: [] },
            { year: 2026, total_yuan: '838336.50', by_source: [] },
          ],
        },
        livelihood: {
          works: [
            { stage: 'accepted', works: 2 },
            { stage: 'accepted', works: 3 },
            { stage: 'in_progress', works: 1 },
          ],
          remediation: [
            { kind: 'weeds_cleared', count: 720, quantity: null, unit: null },
            { kind: 'illegal_building_demolished', count: 43, quantity: '1320.000', unit: 'm2' },
            { kind: 'park_built', count: 1, quantity: '2500.000', unit: 'm2' },
          ],
        },
      },
    },
    {
      code: '141121102201',
      name: '张家庄村',
      services: {
        grid: { issues: { raised: 8, resolved: 4, overdue: 2 } },
        economy: { contracts: { registered: 6, cleared: 5 }, income_by_year: [{ year: 2025, total_yuan: '9.99', by_source: [] }] },
      },
    },
  ],
} as unknown as CountySummary

const villages = [
  { code: '141121100201', name: '东庄村' },
  { code: '141121102201', name: '张家庄村' },
  { code: '141121100202', name: '西庄村' },
]

describe('buildCountyRows', () => {
  const rows = buildCountyRows(villages, summary)
  it('has a row per village, figures or not', () => {
    expect(rows.map((r) => r.code)).toEqual(['141121100201', '141121102201', '141121100202'])
    expect(rows[2]?.raised).toBeNull()
  })
  it('takes the figures of each service', () => {
    const dz = rows[0]!
    expect(dz.raised).toBe(12)
    expect(dz.resolvedWithinSla).toBe(8)
    expect(dz.contractsCleared).toBe(98)
    expect(dz.income).toBe('838337.50')
    expect(dz.worksByStage).toEqual({ accepted: 5, in_progress: 1 })
    expect(dz.worksTotal).toBe(6)
    expect(dz.township).toBe('141121100')
  })
  it('adds up the income of every year reported, exactly', () => {
    expect(incomeYears(summary)).toEqual({ from: 2025, to: 2026 })
    expect(yearSpanText(incomeYears(summary))).toBe('2025–2026年')
    expect(yearSpanText({ from: 2026, to: 2026 })).toBe('2026年')
    expect(rows[1]?.income).toBe('9.99')
    expect(rows[1]?.resolvedWithinSla).toBeNull()
    expect(totalIncome(rows)).toBe('838347.49')
  })
  it('shows names before the summary arrives', () => {
    expect(buildCountyRows(villages, null).map((r) => r.name)).toEqual(['东庄村', '张家庄村', '西庄村'])
  })
})

describe('filter and sort', () => {
  const rows = buildCountyRows(villages, summary)
  it('filters by name or township code', () => {
    expect(filterRows(rows, '张家').map((r) => r.code)).toEqual(['141121102201'])
    expect(filterRows(rows, '141121100').length).toBe(2)
    expect(filterRows(rows, '  ').length).toBe(3)
  })
  it('sorts with missing figures last', () => {
    expect(sortRows(rows, 'raised', 'descending').map((r) => r.raised)).toEqual([12, 8, null])
    expect(sortRows(rows, 'raised', 'ascending').map((r) => r.raised)).toEqual([8, 12, null])
    expect(sortRows(rows, 'income', 'ascending').map((r) => r.income)).toEqual(['9.99', '838337.50', null])
    expect(sortRows(rows, 'income', 'descending').map((r) => r.income)).toEqual(['838337.50', '9.99', null])
    expect(sortRows(rows, 'overdue', null).map((r) => r.code)).toEqual(rows.map((r) => r.code))
  })
})

describe('cell summaries', () => {
  it('summarises works by stage and remediation', () => {
    expect(worksStageSummary({ accepted: 5, in_progress: 1 }, worksStageLabel)).toBe('施工中1 · 已验收5')
    expect(worksStageSummary(null, worksStageLabel)).toBe('—')
    const rows = buildCountyRows(villages, summary)
    expect(remediationSummary(rows[0]!.remediation)).toBe('清除杂草720 · 拆除违章建筑43 等3类')
    expect(remediationSummary([])).toBe('无')
  })
})
