/**
 * JSON.stringify for parsed JSON values, without recursion: a record nested thousands of levels deep (the hostile
 * dataset's policy) overflows the stack of JSON.stringify, which a rule's match context needs as the record's text. Same output.
 */
export function stringifyAnyDepth(value: unknown): string {
  // Raw pieces (brackets, commas, keys) are wrapped so no value of the record can be taken for one.
  class Raw {
    constructor(readonly text: string) {}
  }
  const out: string[] = []
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const v = stack.pop()
    if (v instanceof Raw) out.push(v.text)
    else if (Array.isArray(v)) {
      out.push('[')
      stack.push(new Raw(']'))
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push(v[i] === undefined ? null : v[i])
        if (i > 0) stack.push(new Raw(','))
      }
    } else if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v).filter(([, x]) => x !== undefined)
      out.push('{')
      stack.push(new Raw('}'))
      for (let i = entries.length - 1; i >= 0; i--) {
        stack.push(entries[i]![1])
        stack.push(new Raw(`${i > 0 ? ',' : ''}${JSON.stringify(entries[i]![0])}:`))
      }
    } else out.push(JSON.stringify(v) ?? 'null')
  }
  return out.join('')
}
