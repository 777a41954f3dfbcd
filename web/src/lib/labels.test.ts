import { describe, expect, it } from 'vitest'
import {
  ISSUE_STATUS,
  incomeSourceLabel,
  issueCategoryLabel,
  issueStatusLabel,
  issueStatusTag,
  OPEN_ISSUE_STATUSES,
  roleLabel,
  worksStageLabel,
} from './labels'

describe('issue status in Chinese', () => {
  it('maps every status grid uses', () => {
    // services/grid/grid/domain/issue.py: the lifecycle's states
    const grid = ['raised', 'assigned', 'escalated', 'resolved', 'confirmed', 'reopened', 'closed']
    for (const s of grid) {
      expect(ISSUE_STATUS[s]).toMatch(/[\u4e00-\u9fff]/)
    }
    expect(issueStatusLabel('raised')).toBe('待受理')
    expect(issueStatusLabel('assigned')).toBe('处理中')
    expect(issueStatusLabel('resolved')).toBe('已办结')
    expect(issueStatusLabel('confirmed')).toBe('已确认')
    expect(issueStatusLabel('closed')).toBe('已关闭')
  })
  it('keeps an unknown status visible and a missing one as a dash', () => {
    expect(issueStatusLabel('archived')).toBe('archived')
    expect(issueStatusLabel(null)).toBe('—')
  })
  it('colours resolved green and escalated red', () => {
    expect(issueStatusTag('resolved')).toBe('success')
    expect(issueStatusTag('escalated')).toBe('danger')
    expect(issueStatusTag('whatever')).toBe('info')
  })
  it('knows which statuses still run the clock', () => {
    expect(OPEN_ISSUE_STATUSES).toContain('reopened')
    expect(OPEN_ISSUE_STATUSES).not.toContain('resolved')
  })
})

describe('other labels', () => {
  it('names roles as the brief does', () => {
    expect(roleLabel('county_admin')).toBe('县级管理员')
    expect(roleLabel('township_officer')).toBe('乡镇干部')
    expect(roleLabel('village_secretary')).toBe('村党支部书记')
    expect(roleLabel('village_staff')).toBe('村两委成员')
    expect(roleLabel('grid_worker')).toBe('网格员')
    expect(roleLabel('resident')).toBe('村民')
  })
  it('drops the English gloss of an unknown income source', () => {
    expect(incomeSourceLabel('arrears', '追缴欠款 (recovered arrears)')).toBe('追缴欠款')
    expect(incomeSourceLabel('lottery', '彩票 (lottery)')).toBe('彩票')
    expect(incomeSourceLabel('lottery')).toBe('lottery')
  })
  it('names categories and stages', () => {
    expect(issueCategoryLabel('garbage')).toBe('垃圾清运')
    expect(worksStageLabel('accepted')).toBe('已验收')
  })
})
