import { describe, expect, it } from 'vitest'
import { isProblem, problemFields, problemMessage } from './problem'

describe('problemMessage', () => {
  it('prefers the detail', () => {
    expect(problemMessage({ title: 'Forbidden', status: 403, detail: 'village 141121100202 is outside your scope' }))
      .toBe('village 141121100202 is outside your scope')
    expect(problemMessage({ title: 'Not found', status: 404 })).toBe('Not found')
  })
  it('falls back to Chinese for a bare status or a network failure', () => {
    expect(problemMessage(null, 503)).toBe('服务暂时不可用')
    expect(problemMessage(undefined, 418)).toBe('请求失败（418）')
    expect(problemMessage(undefined)).toBe('网络连接失败，请检查网络后重试')
  })
})

describe('problemFields', () => {
  it('lists the fields named by a 422', () => {
    const p = {
      status: 422,
      detail: 'Invalid: body.issue_id, body.title',
      errors: [{ field: 'body.issue_id', message: 'x' }, { field: 'body.title', message: 'y' }],
    }
    expect(problemFields(p)).toEqual(['issue_id', 'title'])
    expect(problemFields({ field: 'cost_yuan' })).toEqual(['cost_yuan'])
    expect(isProblem(p)).toBe(true)
    expect(isProblem([1])).toBe(false)
  })
})
