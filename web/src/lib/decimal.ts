// Money and areas travel as decimal strings ("633736.50"). A JS number cannot hold every
// such value exactly, so these helpers work on the digits, with BigInt for arithmetic.

interface Scaled {
  value: bigint
  scale: number
}

const DECIMAL = /^\s*([+-])?(\d+)(?:\.(\d*))?\s*$|^\s*([+-])?\.(\d+)\s*$/

function parse(input: string): Scaled | null {
  const m = DECIMAL.exec(input)
  if (!m) return null
  const sign = m[1] ?? m[4] ?? ''
  const whole = m[2] ?? '0'
  const frac = m[3] ?? m[5] ?? ''
  const digits = BigInt(whole + frac)
  return { value: sign === '-' ? -digits : digits, scale: frac.length }
}

function rescale(d: Scaled, scale: number): bigint {
  return d.value * 10n ** BigInt(scale - d.scale)
}

export function isDecimal(input: unknown): input is string {
  return typeof input === 'string' && parse(input) !== null
}

/** -1, 0 or 1, exactly; anything that is not a decimal sorts first. */
export function compareDecimal(a: string | null | undefined, b: string | null | undefined): number {
  const pa = a == null ? null : parse(a)
  const pb = b == null ? null : parse(b)
  if (!pa || !pb) return pa ? 1 : pb ? -1 : 0
  const scale = Math.max(pa.scale, pb.scale)
  const x = rescale(pa, scale)
  const y = rescale(pb, scale)
  return x < y ? -1 : x > y ? 1 : 0
}

/** The exact sum of decimal strings, at the largest scale among them; "0" for none. */
export function sumDecimals(values: ReadonlyArray<string | null | undefined>): string {
  const parsed = values.map((v) => (v == null ? null : parse(v))).filter((v): v is Scaled => v !== null)
  if (parsed.length === 0) return '0'
  const scale = Math.max(...parsed.map((p) => p.scale))
  const total = parsed.reduce((acc, p) => acc + rescale(p, scale), 0n)
  return toPlain(total, scale)
}

function toPlain(value: bigint, scale: number): string {
  const neg = value < 0n
  const digits = (neg ? -value : value).toString().padStart(scale + 1, '0')
  const whole = digits.slice(0, digits.length - scale)
  const frac = digits.slice(digits.length - scale)
  return (neg ? '-' : '') + whole + (scale > 0 ? '.' + frac : '')
}

function groupThousands(whole: string): string {
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/** Round half away from zero to `places` decimals, exactly. */
function roundTo(d: Scaled, places: number): Scaled {
  if (d.scale <= places) return { value: rescale(d, places), scale: places }
  const drop = 10n ** BigInt(d.scale - places)
  const neg = d.value < 0n
  const abs = neg ? -d.value : d.value
  let q = abs / drop
  if ((abs % drop) * 2n >= drop) q += 1n
  return { value: neg ? -q : q, scale: places }
}

function format(d: Scaled): string {
  const plain = toPlain(d.value, d.scale)
  const neg = plain.startsWith('-')
  const body = neg ? plain.slice(1) : plain
  const [whole = '0', frac] = body.split('.')
  const isZero = /^[0.]*$/.test(body)
  return (neg && !isZero ? '-' : '') + groupThousands(whole) + (frac !== undefined ? '.' + frac : '')
}

/** "633736.5" → "633,736.50". Exact: never goes through a float. "—" for nothing or garbage. */
export function formatMoney(input: string | null | undefined, places = 2): string {
  if (input == null) return '—'
  const d = parse(input)
  if (!d) return '—'
  return format(roundTo(d, places))
}

/** A quantity or area as written, without trailing zeros: "300.000" → "300", "1320.500" → "1,320.5". */
export function formatQuantity(input: string | null | undefined): string {
  if (input == null) return '—'
  const d = parse(input)
  if (!d) return '—'
  let { value, scale } = d
  while (scale > 0 && value % 10n === 0n) {
    value /= 10n
    scale -= 1
  }
  return format({ value, scale })
}

/** done / planned as a whole percentage for a progress bar (0–100); 0 when nothing is planned. */
export function percentOf(done: string | null | undefined, planned: string | null | undefined): number {
  const d = done == null ? null : parse(done)
  const p = planned == null ? null : parse(planned)
  if (!d || !p) return 0
  const scale = Math.max(d.scale, p.scale)
  const num = rescale(d, scale)
  const den = rescale(p, scale)
  if (den <= 0n) return 0
  const pct = Number((num * 1000n) / den) / 10
  return Math.max(0, Math.min(100, Math.round(pct)))
}

/** An area in mu (亩) as land registers write it: always two places, "6.70", "624.16". */
export function formatArea(input: string | null | undefined): string {
  return formatMoney(input, 2)
}
