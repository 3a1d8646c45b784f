import { describe, expect, it } from 'vitest'
import { HeadSniffer, notCloudTrail, SNIFF_BYTES } from './sniff.js'

const b = (s: string): Buffer => Buffer.from(s, 'utf8')

describe('notCloudTrail', () => {
  it('accepts what the splitter reads: Records bodies, arrays and lines of events, digests, after a BOM or whitespace', () => {
    for (const s of [
      '{"Records":[]}',
      '[{"eventName":"X"}]',
      '\ufeff\r\n {"eventVersion":"1.08"}',
      '{"awsAccountId":"1","digestStartTime":"t"}',
    ])
      expect(notCloudTrail(b(s), false)).toBeUndefined()
  })

  it('says why anything else is not CloudTrail', () => {
    expect(notCloudTrail(b(''), false)).toBe('empty file')
    expect(notCloudTrail(b('# readme'), false)).toBe('not gzip or JSON')
    expect(notCloudTrail(b('PK\u0003\u0004'), false)).toBe('not gzip or JSON')
    expect(notCloudTrail(b('hello'), true)).toBe('gzip, but not JSON inside')
    expect(notCloudTrail(b('{"name":"x","eventId":"lower-case d is not CloudTrail\'s"}'), false)).toMatch(
      /^JSON without CloudTrail records/,
    )
  })
})

describe('HeadSniffer', () => {
  it('holds chunks until it has seen enough, then passes them all on in order', () => {
    const s = new HeadSniffer(() => false)
    // A key cut between two chunks is still found.
    expect(s.push(b('{"Rec'))).toEqual([])
    expect(s.push(b('ords":['))).toEqual([])
    const rest = b(`${' '.repeat(SNIFF_BYTES)}]}`)
    expect(s.push(rest).map((c) => c.toString())).toEqual(['{"Rec', 'ords":[', rest.toString()])
    expect(s.verdict).toBeUndefined()
    expect(s.push(b('more'))).toEqual([b('more')])
  })

  it('judges a short object at its end, and passes nothing on when it is not CloudTrail', () => {
    const ok = new HeadSniffer(() => false)
    ok.push(b('{"eventVersion":"1.08"}'))
    expect(ok.end()).toHaveLength(1)
    const no = new HeadSniffer(() => false)
    no.push(b('# notes'))
    expect(no.end()).toEqual([])
    expect(no.verdict).toBe('not gzip or JSON')
  })
})
