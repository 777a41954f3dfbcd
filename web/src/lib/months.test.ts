import { describe, expect, it } from 'vitest'
import { mergeMonths, monthLabel } from './months'

describe('mergeMonths', () => {
  it('joins the two series on the month, oldest first, with gaps as null', () => {
    const rows = mergeMonths(
      [
        { month: '2026-04', raised: 3, resolved: 2 },
        { month: '2026-03', raised: 5, resolved: 5 },
      ],
      [
        { month: '2026-03', amount_yuan: '1234.00' },
        { month: '2026-05', amount: '99.50' },
      ],
    )
    expect(rows).toEqual([
      { month: '2026-03', raised: 5, resolved: 5, income: 1234 },
      { month: '2026-04', raised: 3, resolved: 2, income: null },
      { month: '2026-05', raised: null, resolved: null, income: 99.5 },
    ])
  })
  it('leaves a gap for an amount that is not a number', () => {
    expect(mergeMonths([], [{ month: '2026-01', amount_yuan: 'n/a' }])).toEqual([
      { month: '2026-01', raised: null, resolved: null, income: null },
    ])
  })
  it('is empty when neither series exists yet', () => {
    expect(mergeMonths(undefined, null)).toEqual([])
    expect(mergeMonths([{ month: 'March', raised: 1, resolved: 1 }], [])).toEqual([])
  })
  it('labels months in Chinese', () => {
    expect(monthLabel('2026-03')).toBe('2026年3月')
    expect(monthLabel('x')).toBe('x')
  })
})
