// Chart options built from the same figures the tables show. Number() is fine on an axis;
// the tables keep the exact strings.
import type { CountyRow } from '@/lib/county'
import { formatMoney } from '@/lib/decimal'
import { WORKS_STAGE_ORDER, worksStageLabel } from '@/lib/labels'
import type { MonthRow } from '@/lib/months'
import { monthLabel } from '@/lib/months'
import type { ChartOption } from './echarts'

const villageAxis = (names: string[]) => ({
  type: 'category' as const,
  data: names,
  axisLabel: { rotate: names.length > 8 ? 40 : 0, interval: 0, color: '#3f4349' },
})

const valueAxis = (name?: string) => ({
  type: 'value' as const,
  name,
  axisLabel: { color: '#3f4349' },
  nameTextStyle: { color: '#3f4349' },
})

const grid = { left: 56, right: 16, top: 40, bottom: 80, containLabel: false }
const legend = { top: 0, textStyle: { color: '#3f4349' } }

export function issuesByVillage(rows: readonly CountyRow[]): ChartOption {
  const withSla = rows.some((r) => r.resolvedWithinSla !== null)
  const series = [
    { name: '事项总数', type: 'bar' as const, data: rows.map((r) => r.raised ?? 0), itemStyle: { color: '#1a5fb4' } },
    { name: '已办结', type: 'bar' as const, data: rows.map((r) => r.resolved ?? 0), itemStyle: { color: '#2b7a2e' } },
    ...(withSla
      ? [{ name: 'SLA内办结', type: 'bar' as const, data: rows.map((r) => r.resolvedWithinSla ?? 0), itemStyle: { color: '#00727a' } }]
      : []),
    { name: '超期', type: 'bar' as const, data: rows.map((r) => r.overdue ?? 0), itemStyle: { color: '#c0281f' } },
  ]
  return {
    tooltip: { trigger: 'axis' },
    legend,
    grid,
    xAxis: villageAxis(rows.map((r) => r.name)),
    yAxis: valueAxis('件'),
    series,
  }
}

export function incomeByVillage(rows: readonly CountyRow[], years: string): ChartOption {
  return {
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v) => `${formatMoney(String(v))} 元`,
    },
    legend,
    grid: { ...grid, left: 72 },
    xAxis: villageAxis(rows.map((r) => r.name)),
    yAxis: { ...valueAxis('万元'), axisLabel: { color: '#3f4349', formatter: (v: number) => String(v / 10000) } },
    series: [
      {
        name: years ? `${years}集体收入` : '集体收入',
        type: 'bar',
        data: rows.map((r) => (r.income === null ? 0 : Number(r.income))),
        itemStyle: { color: '#8a5300' },
      },
    ],
  }
}

const STAGE_COLOURS: Record<string, string> = {
  proposed: '#5a5f66',
  approved: '#1a5fb4',
  in_progress: '#8a5300',
  completed: '#00727a',
  accepted: '#2b7a2e',
}

export function worksByStage(rows: readonly CountyRow[]): ChartOption {
  const stages = new Set<string>()
  for (const r of rows) for (const s of Object.keys(r.worksByStage ?? {})) stages.add(s)
  const ordered = [...WORKS_STAGE_ORDER.filter((s) => stages.has(s)), ...[...stages].filter((s) => !WORKS_STAGE_ORDER.includes(s))]
  return {
    tooltip: { trigger: 'axis' },
    legend,
    grid,
    xAxis: villageAxis(rows.map((r) => r.name)),
    yAxis: valueAxis('项'),
    series: ordered.map((s) => ({
      name: worksStageLabel(s),
      type: 'bar' as const,
      stack: 'works',
      itemStyle: STAGE_COLOURS[s] ? { color: STAGE_COLOURS[s] } : undefined,
      data: rows.map((r) => r.worksByStage?.[s] ?? 0),
    })),
  }
}

const STAR_COLOURS: Record<number, string> = {
  5: '#8a1b14',
  4: '#c0281f',
  3: '#d9623a',
  2: '#8a5300',
  1: '#5a5f66',
  0: '#9aa0a6',
}

export function starsByVillage(rows: readonly CountyRow[]): ChartOption {
  return {
    tooltip: { trigger: 'axis' },
    legend,
    grid,
    xAxis: villageAxis(rows.map((r) => r.name)),
    yAxis: valueAxis('人'),
    series: [5, 4, 3, 2, 1, 0].map((s) => ({
      name: s === 0 ? '无星' : `${s}星`,
      type: 'bar' as const,
      stack: 'stars',
      itemStyle: { color: STAR_COLOURS[s] },
      data: rows.map((r) => r.stars?.[String(s)] ?? 0),
    })),
  }
}

export function villageTrend(months: readonly MonthRow[]): ChartOption {
  if (months.length === 0) {
    return {
      title: { text: '暂无月度数据', left: 'center', top: 'middle', textStyle: { color: '#5b5f66', fontSize: 14, fontWeight: 'normal' } },
      xAxis: { type: 'category', data: [] },
      yAxis: { type: 'value' },
      series: [],
    }
  }
  return {
    tooltip: { trigger: 'axis' },
    legend,
    grid: { left: 48, right: 72, top: 40, bottom: 32 },
    xAxis: { type: 'category', data: months.map((m) => monthLabel(m.month)), axisLabel: { color: '#3f4349' } },
    yAxis: [
      { ...valueAxis('件'), minInterval: 1 },
      {
        ...valueAxis('万元'),
        position: 'right' as const,
        splitLine: { show: false },
        axisLabel: { color: '#3f4349', formatter: (v: number) => String(v / 10000) },
      },
    ],
    series: [
      { name: '新增事项', type: 'line', data: months.map((m) => m.raised), itemStyle: { color: '#1a5fb4' } },
      { name: '办结事项', type: 'line', data: months.map((m) => m.resolved), itemStyle: { color: '#2b7a2e' } },
      {
        name: '集体收入（元）',
        type: 'line',
        yAxisIndex: 1,
        data: months.map((m) => m.income),
        itemStyle: { color: '#8a5300' },
        lineStyle: { type: 'dashed' },
        tooltip: { valueFormatter: (v) => (v == null ? '—' : `${formatMoney(String(v))} 元`) },
      },
    ],
  }
}

export function incomeBySource(items: readonly { label: string; amount: string }[]): ChartOption {
  const data = items.filter((i) => Number(i.amount) > 0)
  return {
    tooltip: { trigger: 'item', valueFormatter: (v) => `${formatMoney(String(v))} 元` },
    legend: { ...legend, type: 'scroll' },
    series: [
      {
        name: '收入来源',
        type: 'pie',
        radius: ['35%', '65%'],
        top: 24,
        label: { color: '#3f4349' },
        data: data.map((i) => ({ name: i.label, value: Number(i.amount) })),
      },
    ],
  }
}
