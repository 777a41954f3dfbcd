import { describe, expect, it } from 'vitest'
import { formatDate, formatDateTime, lastClosedQuarter } from './dates'

describe('dates', () => {
  it('shows Beijing time', () => {
    expect(formatDateTime('2026-11-29T23:57:20.098635Z')).toBe('2026-11-30 07:57')
    expect(formatDateTime('2026-06-30T16:00:00Z')).toBe('2026-07-01 00:00')
    expect(formatDateTime(null)).toBe('—')
    expect(formatDateTime('garbage')).toBe('garbage')
  })
  it('keeps calendar dates as written', () => {
    expect(formatDate('2026-06-30')).toBe('2026-06-30')
    expect(formatDate('2026-11-29T23:57:20Z')).toBe('2026-11-30')
  })
  it('knows the last closed quarter', () => {
    expect(lastClosedQuarter(new Date('2026-11-29T12:00:00Z'))).toEqual({ year: 2026, quarter: 3 })
    expect(lastClosedQuarter(new Date('2026-02-01T00:00:00Z'))).toEqual({ year: 2025, quarter: 4 })
    expect(lastClosedQuarter(new Date('2026-03-31T17:00:00Z'))).toEqual({ year: 2026, quarter: 1 })
  })
})
