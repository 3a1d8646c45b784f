/** What ends a value cut to fit a destination's limit, so a reader knows it is not the whole value. */
export const TRUNCATED_MARK = '…[truncated]'

/**
 * `text` cut to at most `max` UTF-16 units (the length AWS and OCSF limits count), ending with TRUNCATED_MARK when
 * cut. Never splits a surrogate pair, so the result is still valid UTF-8 when encoded.
 */
export function limitText(text: string, max: number): string {
  if (text.length <= max) return text
  let end = Math.max(0, max - TRUNCATED_MARK.length)
  const last = text.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end--
  return text.slice(0, end) + TRUNCATED_MARK
}

/**
 * `value` as JSON text of at most `max` UTF-16 units, cut with TRUNCATED_MARK when longer. The walk stops once past
 * the limit, so a finding whose details hold hundreds of MB (a record's values, escapes making them longer) costs
 * no more than the limit: JSON.stringify of the whole could even exceed V8's longest string. Values are JSON data
 * (details and context come from JSON or YAML), nested at most 32 levels (emit/finding.ts).
 */
export function limitedJson(value: unknown, max: number): string {
  let out = ''
  const walk = (x: unknown): void => {
    if (x === null || typeof x !== 'object') {
      out += typeof x === 'string' ? JSON.stringify(x.length > max ? x.slice(0, max + 1) : x) : (JSON.stringify(x) ?? 'null')
      return
    }
    if (Array.isArray(x)) {
      out += '['
      for (let i = 0; i < x.length; i++) {
        if (out.length > max) return
        if (i > 0) out += ','
        walk(x[i])
      }
      out += ']'
      return
    }
    out += '{'
    let first = true
    for (const k in x) {
      if (out.length > max) return
      if (!Object.hasOwn(x, k)) continue
      const c = (x as Record<string, unknown>)[k]
      if (c === undefined || typeof c === 'function') continue
      out += `${first ? '' : ','}${JSON.stringify(k)}:`
      first = false
      walk(c)
    }
    out += '}'
  }
  walk(value)
  return limitText(out, max)
}
