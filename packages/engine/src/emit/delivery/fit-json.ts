/**
 * Fitting a JSON document under a destination's size limit (SNS 256 KB, an EventBridge entry) without losing
 * the finding: the values that make a finding large are the rule's `details` (a new bucket policy, an ACL) and
 * long strings (a user agent). Those are replaced, largest first, by a note saying how many bytes were left out,
 * until the document fits. The whole finding is still in Trailscan's own output.
 */

const MIN_CUT = 256

export function byteLength(json: string): number {
  return Buffer.byteLength(json, 'utf8')
}

interface Slot {
  parent: Record<string, unknown> | unknown[]
  key: string | number
  bytes: number
}

/** The candidates to leave out: each value of a `details` object, and every string longer than MIN_CUT bytes. */
function slots(value: unknown, out: Slot[], isDetails: boolean): void {
  if (Array.isArray(value)) value.forEach((v, i) => visit(value, i, v, out, false))
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) visit(value as Record<string, unknown>, k, v, out, isDetails)
}

function visit(parent: Slot['parent'], key: string | number, v: unknown, out: Slot[], parentIsDetails: boolean): void {
  const bytes = byteLength(JSON.stringify(v) ?? 'null')
  if ((parentIsDetails || typeof v === 'string') && bytes > MIN_CUT) out.push({ parent, key, bytes })
  else slots(v, out, key === 'details')
}

/**
 * `doc` serialised in at most `maxBytes`, or undefined when even with every candidate left out it does not fit.
 * `doc` is copied, never changed.
 */
export function fitJson(doc: unknown, maxBytes: number, what: string): { json: string; omitted: number } | undefined {
  let json = JSON.stringify(doc)
  if (byteLength(json) <= maxBytes) return { json, omitted: 0 }
  const copy = JSON.parse(json) as unknown
  const candidates: Slot[] = []
  slots(copy, candidates, false)
  candidates.sort((a, b) => b.bytes - a.bytes)
  let omitted = 0
  for (const c of candidates) {
    const note = `[left out: ${c.bytes} bytes, over ${what}; the finding in Trailscan's output has it]`
    if (Array.isArray(c.parent)) c.parent[c.key as number] = note
    else c.parent[c.key as string] = note
    omitted++
    json = JSON.stringify(copy)
    if (byteLength(json) <= maxBytes) return { json, omitted }
  }
  return undefined
}
