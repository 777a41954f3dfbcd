import type { Claims } from './jwt'

export const COUNTY_ROLES: readonly string[] = ['county_admin', 'township_officer']
export const VILLAGE_ROLES: readonly string[] = ['village_secretary', 'village_staff', 'grid_worker']

/** Where a user lands after logging in. */
export function homeFor(claims: Claims | null): string {
  if (!claims) return '/login'
  if (COUNTY_ROLES.includes(claims.role)) return '/county'
  const village = claims.villages[0]
  if (VILLAGE_ROLES.includes(claims.role)) return village ? `/village/${village}` : '/public'
  if (claims.role === 'resident') return '/resident'
  return '/public'
}

/** The county whose villages the user sees: a county claim, else the code's first 6 digits. */
export function countyOf(claims: Claims | null): string | null {
  if (!claims) return null
  if (claims.county) return claims.county
  const code = claims.township ?? claims.villages[0]
  return code && code.length >= 6 ? code.slice(0, 6) : null
}

export function isCountyRole(claims: Claims | null): boolean {
  return !!claims && COUNTY_ROLES.includes(claims.role)
}
