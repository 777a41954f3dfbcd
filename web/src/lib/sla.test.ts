import { describe, expect, it } from 'vitest'
import { formatSpan, slaClock } from './sla'

const due = '2026-12-02T12:00:00Z'
const at = (iso: string) => Date.parse(iso)

describe('slaClock', () => {
  it('counts down the time left', () => {
    expect(slaClock(due, at('2026-11-30T09:00:00Z'), 'raised')).toEqual({ state: 'ok', text: '剩余 2天3小时' })
    expect(slaClock(due, at('2026-12-02T06:48:00Z'), 'assigned')).toEqual({ state: 'ok', text: '剩余 5小时12分' })
  })
  it('turns amber in the last hours', () => {
    expect(slaClock(due, at('2026-12-02T11:52:00Z'), 'escalated')).toEqual({ state: 'soon', text: '剩余 8分钟' })
  })
  it('turns red once the due time has passed', () => {
    expect(slaClock(due, at('2026-12-03T14:00:00Z'), 'reopened')).toEqual({ state: 'overdue', text: '已超期 1天2小时' })
    expect(slaClock(due, at('2026-12-02T12:00:30Z'), 'raised')).toEqual({ state: 'overdue', text: '已超期 不到1分钟' })
  })
  it('stops once the issue is resolved', () => {
    for (const s of ['resolved', 'confirmed', 'closed']) {
      expect(slaClock(due, at('2026-12-09T00:00:00Z'), s).state).toBe('done')
    }
  })
  it('says nothing useful without a due time', () => {
    expect(slaClock(null, Date.now(), 'raised')).toEqual({ state: 'unknown', text: '—' })
    expect(slaClock('not a date', Date.now(), 'raised').state).toBe('unknown')
  })
})

describe('formatSpan', () => {
  it('uses the two largest units', () => {
    expect(formatSpan(3 * 86_400_000)).toBe('3天')
    expect(formatSpan(2 * 3_600_000)).toBe('2小时')
    expect(formatSpan(-90 * 60_000)).toBe('1小时30分')
  })
})
