import { describe, expect, it } from 'vitest'
import type { Claims } from './jwt'
import { countyOf, homeFor } from './roles'

const base: Claims = { sub: 's', role: 'resident', villages: ['141121100201'] }

describe('homeFor', () => {
  it('routes by role', () => {
    expect(homeFor({ ...base, role: 'county_admin', villages: [], county: '141121' })).toBe('/county')
    expect(homeFor({ ...base, role: 'township_officer', villages: [], township: '141121100' })).toBe('/county')
    expect(homeFor({ ...base, role: 'village_secretary' })).toBe('/village/141121100201')
    expect(homeFor({ ...base, role: 'village_staff' })).toBe('/village/141121100201')
    expect(homeFor({ ...base, role: 'grid_worker' })).toBe('/village/141121100201')
    expect(homeFor(base)).toBe('/resident')
    expect(homeFor(null)).toBe('/login')
  })
  it('sends a village role without a village to the public board', () => {
    expect(homeFor({ ...base, role: 'grid_worker', villages: [] })).toBe('/public')
  })
})

describe('countyOf', () => {
  it('uses the county claim, else the code of the township or village', () => {
    expect(countyOf({ ...base, county: '141121' })).toBe('141121')
    expect(countyOf({ ...base, villages: [], township: '141121100' })).toBe('141121')
    expect(countyOf(base)).toBe('141121')
    expect(countyOf({ ...base, villages: [] })).toBeNull()
  })
})
