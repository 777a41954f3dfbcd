/** Party members are rated 0–5 stars on their year's points (党员积分星级). */
export const MAX_STARS = 5

/** "★★★☆☆" for 3; out-of-range values are clamped. */
export function starText(stars: number | null | undefined, max = MAX_STARS): string {
  const n = Math.max(0, Math.min(max, Math.round(Number(stars) || 0)))
  return '★'.repeat(n) + '☆'.repeat(max - n)
}

/** What a screen reader says instead of the glyphs. */
export function starLabel(stars: number | null | undefined): string {
  const n = Math.max(0, Math.min(MAX_STARS, Math.round(Number(stars) || 0)))
  return n === 0 ? '未评星' : `${n}星`
}

export interface StarBucket {
  stars: number
  count: number
}

/** party statistics' `stars` ({"0": 0, …, "5": 11}) as a list from 5 stars down to 0. */
export function starDistribution(stars: Record<string, number> | null | undefined): StarBucket[] {
  const out: StarBucket[] = []
  for (let s = MAX_STARS; s >= 0; s--) out.push({ stars: s, count: Number(stars?.[String(s)] ?? 0) || 0 })
  return out
}

/** "5★11 4★7 3★9 2★9 1★8", leaving out empty levels; "—" when nobody is scored. */
export function starDistributionText(stars: Record<string, number> | null | undefined): string {
  const parts = starDistribution(stars)
    .filter((b) => b.count > 0)
    .map((b) => (b.stars === 0 ? `无星${b.count}` : `${b.stars}★${b.count}`))
  return parts.length ? parts.join(' ') : '—'
}
