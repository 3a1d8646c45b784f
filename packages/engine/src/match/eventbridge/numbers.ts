/**
 * How EventBridge compares numbers. event-ruler parses a number's decimal text and treats it as comparable only when
 * that exact decimal equals a float64 (`BigDecimal(text) == BigDecimal.valueOf(double)`); comparable numbers are then
 * compared as float64 values, so 300, 300.0 and 3.0e2 are equal. Other numbers (say 12345678901234567890, or 1e400)
 * can only equal the very same text. JSON.parse loses that text, so the engine's own JSON reader keeps it (see
 * JsonNumberText).
 */

/**
 * A JSON number whose decimal text has no exact float64 twin. It only ever equals a number written the same way, so
 * it travels as text. Only events read by this module's JSON reader contain it; JSON.parse rounds such numbers.
 */
export class JsonNumberText {
  constructor(readonly text: string) {}
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/

/** Canonical "sign digits e exponent" form, so that two texts denote the same decimal iff their forms are equal. */
function canonicalDecimal(text: string): string | undefined {
  const m = DECIMAL.exec(text)
  if (m === null) return undefined
  const frac = m[3] ?? ''
  let digits = (m[2] ?? '') + frac
  let exponent = Number(m[4] ?? '0') - frac.length
  let start = 0
  while (start < digits.length - 1 && digits.charCodeAt(start) === 48) start++
  digits = digits.slice(start)
  if (/^0+$/.test(digits)) return '0' // -0 and 0 compare equal, as BigDecimal.compareTo says
  let end = digits.length
  while (digits.charCodeAt(end - 1) === 48) end--
  exponent += digits.length - end
  return `${m[1] ?? ''}${digits.slice(0, end)}e${exponent}`
}

/**
 * The float64 that `text` denotes exactly, or undefined when the decimal is not exactly a float64 (or not finite).
 * `String(n)` is the shortest text that round-trips, the same decimal Java's `BigDecimal.valueOf(double)` builds from.
 */
export function exactFloat64(text: string): number | undefined {
  const n = Number(text)
  if (!Number.isFinite(n)) return undefined
  const a = canonicalDecimal(text)
  return a !== undefined && a === canonicalDecimal(String(n)) ? n : undefined
}
