import { describe, expect, it } from 'vitest'
import { byteLiteral, findLiteral } from './byte-literal.js'

describe('byteLiteral probes', () => {
  it('look for 4 to 7 bytes, starting at the rarest byte of the literal', () => {
    const probe = (t: string) => {
      const l = byteLiteral(t)
      return [l.probe.toString('latin1'), l.offset]
    }
    expect(probe('"AccessDenied')).toEqual(['Denied', 7])
    expect(probe('"Root"')).toEqual(['Root"', 1])
    expect(probe('UnauthorizedOperation"')).toEqual(['Operati', 12])
    expect(probe('ab')).toEqual(['ab', 0])
  })
})

describe('findLiteral', () => {
  // Decoys: the probe without the rest of the literal, the literal cut short by the end, overlapping starts.
  const text = 'Denied "xAccessDenied "AccessDenie "AccessDenied,""Root"""Root" aaab "AccessDenied'
  const buf = Buffer.from(text, 'latin1')

  it.each(['"AccessDenied', '"Root"', 'Denied', 'aab', '"', 'e "A', 'nope'])('finds every occurrence of %s, as indexOf does', (lit) => {
    const l = byteLiteral(lit)
    const all = (find: (from: number) => number): number[] => {
      const out: number[] = []
      for (let at = find(0); at >= 0; at = find(at + 1)) out.push(at)
      return out
    }
    expect(all((from) => findLiteral(buf, l, from))).toEqual(all((from) => text.indexOf(lit, from)))
  })
})
