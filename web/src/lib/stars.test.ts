import { describe, expect, it } from 'vitest'
import { starDistribution, starDistributionText, starLabel, starText } from './stars'

describe('stars', () => {
  it('draws filled and empty stars', () => {
    expect(starText(3)).toBe('★★★☆☆')
    expect(starText(5)).toBe('★★★★★')
    expect(starText(0)).toBe('☆☆☆☆☆')
    expect(starText(9)).toBe('★★★★★')
    expect(starText(-1)).toBe('☆☆☆☆☆')
    expect(starText(null)).toBe('☆☆☆☆☆')
  })
  it('says the level in words', () => {
    expect(starLabel(4)).toBe('4星')
    expect(starLabel(0)).toBe('未评星')
  })
  it('orders the distribution from five stars down', () => {
    const d = starDistribution({ '0': 0, '1': 8, '2': 9, '3': 9, '4': 7, '5': 11 })
    expect(d.map((b) => b.stars)).toEqual([5, 4, 3, 2, 1, 0])
    expect(d[0]).toEqual({ stars: 5, count: 11 })
    expect(starDistribution(undefined).every((b) => b.count === 0)).toBe(true)
  })
  it('summarises the distribution in a line', () => {
    expect(starDistributionText({ '0': 0, '1': 0, '2': 1, '3': 0, '4': 1, '5': 3 })).toBe('5★3 4★1 2★1')
    expect(starDistributionText({ '0': 2 })).toBe('无星2')
    expect(starDistributionText({})).toBe('—')
  })
})
