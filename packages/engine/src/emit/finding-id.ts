import { createHash } from 'node:crypto'

/**
 * A finding's `id`: the same rule on the same event in the same recipient account always gives the same id, in
 * any run, object, shard or worker. That is what lets a redone object, an event CloudTrail delivered twice, a
 * re-imported Security Hub finding or an appended JSONL file count a finding once.
 *
 * An event without an eventID (never seen from CloudTrail itself, but a hand-made or damaged record) is named by
 * where it was read instead: stable when the same object is redone, though a copy elsewhere counts apart.
 *
 * 128 bits of SHA-256 over NUL-separated parts, hex: short enough for every destination's id field (ASFF allows
 * 512 characters), and no part can run into the next.
 */
export function findingId(
  ruleId: string,
  recipientAccount: string | null,
  eventId: string | null,
  where: { uri: string; recordIndex: number },
): string {
  const h = createHash('sha256').update('trailscan-finding-v1\u0000').update(ruleId).update('\u0000')
  h.update(recipientAccount ?? '').update('\u0000')
  if (eventId !== null) h.update('event\u0000').update(eventId)
  else h.update('at\u0000').update(where.uri).update('\u0000').update(String(where.recordIndex))
  return hex128(h.digest())
}

/**
 * The id of another record derived from findings (an alarm period, a remediation): the same hash over a tag
 * and its parts, so it cannot equal a finding id or another kind's.
 */
export function derivedId(tag: string, parts: readonly string[]): string {
  const h = createHash('sha256').update(`trailscan-${tag}-v1\u0000`)
  for (const p of parts) h.update(p).update('\u0000')
  return hex128(h.digest())
}

/**
 * The first 128 bits, in hex, as a string of its own: `.slice(0, 32)` of the whole digest's hex would keep all 64
 * characters alive behind each id, and a scan keeps every id it emitted (dedup): 40 MB more over 400,000 findings.
 */
function hex128(digest: Buffer): string {
  return digest.toString('hex', 0, 16)
}
