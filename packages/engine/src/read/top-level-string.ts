const ANCHOR = '{"eventVersion":'

/**
 * A top-level string field of a record, straight from its raw text, so a record need not be parsed to learn
 * its eventName (the index) or its sourceIPAddress (raw tests). In a record that starts as CloudTrail writes
 * one (`{"eventVersion":` first), eventName, eventSource and sourceIPAddress precede requestParameters and
 * everything else that could nest the same key, so the first `"key":` is the record's own. In any other record
 * only an unambiguous form is trusted: exactly one `"key":`.
 *
 * Returns the value; undefined when a CloudTrail-written record has no such key; null when the text cannot
 * tell (not a plain string, an escape, another layout with the key absent or repeated) and the record must be
 * parsed to know.
 */
export function topLevelString(text: string, key: string): string | undefined | null {
  const head = `"${key}":`
  const at = text.indexOf(head)
  const cloudTrail = text.startsWith(ANCHOR)
  if (at < 0) return cloudTrail ? undefined : null
  if (!cloudTrail && text.indexOf(head, at + head.length) >= 0) return null
  const from = at + head.length
  if (text.charCodeAt(from) !== 0x22) return null
  const end = text.indexOf('"', from + 1)
  if (end < 0) return null
  const value = text.slice(from + 1, end)
  return value.includes('\\') ? null : value
}
