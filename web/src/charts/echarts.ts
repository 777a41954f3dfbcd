// Only what the dashboard draws: bars, lines and pies on a canvas. Importing from
// 'echarts' itself would pull in every chart type and component.
import { use, init, type ComposeOption, type ECharts } from 'echarts/core'
import { BarChart, LineChart, PieChart, type BarSeriesOption, type LineSeriesOption, type PieSeriesOption } from 'echarts/charts'
import {
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  type GridComponentOption,
  type LegendComponentOption,
  type TitleComponentOption,
  type TooltipComponentOption,
} from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer])

export type ChartOption = ComposeOption<
  | BarSeriesOption
  | LineSeriesOption
  | PieSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | TitleComponentOption
  | TooltipComponentOption
>

export { init, type ECharts }

/** Colours readable on white, in the order series take them. */
export const PALETTE = ['#1a5fb4', '#c0281f', '#2b7a2e', '#8a5300', '#6a3d9a', '#00727a', '#5a5f66']

let marked = false

/**
 * The browser tests time the first chart by this mark: set once per page load, when ECharts
 * says a chart has finished rendering, whichever chart that is.
 */
export function markFirstChart(): void {
  if (marked) return
  marked = true
  if (typeof performance !== 'undefined' && performance.getEntriesByName('xz-first-chart').length === 0) {
    performance.mark('xz-first-chart')
  }
}
