import { describe, expect, it } from 'vitest'
import { ISSUE_ID_PATTERN, newIssueId } from './ids'

describe('newIssueId', () => {
  it('matches grid’s pattern and differs each time', () => {
    const a = newIssueId()
    const b = newIssueId()
    expect(a).toMatch(ISSUE_ID_PATTERN)
    expect(a).not.toBe(b)
  })
  it('keeps only allowed characters', () => {
    expect(newIssueId(() => 'ab_cd.ef/12')).toBe('web-abcdef12')
  })
})
