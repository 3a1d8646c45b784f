import { describe, expect, it } from 'vitest'
import { CorruptStateError, UsageError } from '../errors.js'
import { parseCloudTrailKey } from '../source/key-layout.js'
import type { LogObject } from '../source/log-object.js'
import { firstOpenDay, parseLookback } from './lookback.js'
import { StateLedger } from './state-ledger.js'
import { emptyState, parseState, serializeState, type ScanState } from './state-model.js'

const PREFIX = 's3://trail/AWSLogs/111122223333/CloudTrail/us-east-1'
function obj(day: string, name: string, etag: string): LogObject {
  const key = `AWSLogs/111122223333/CloudTrail/us-east-1/${day.replaceAll('-', '/')}/${name}`
  return { uri: `s3://trail/${key}`, size: 10, etag, key: parseCloudTrailKey(key), open: () => Promise.reject(new Error('not read')) }
}

/** One run: judge every object, emit the scanned ones (minus `fail`), commit; the next run's ledger. */
function run(
  state: ScanState,
  objects: LogObject[],
  opts: { closeBefore?: string; fail?: string[]; findings?: [string, string][] } = {},
): { verdicts: string[]; next: ScanState } {
  const l = new StateLedger(state)
  const verdicts = objects.map((o) => l.judge(o))
  objects.forEach((o, i) => (verdicts[i] === 'new' || verdicts[i] === 'changed' ? l.emitted(o.uri) : undefined))
  for (const u of opts.fail ?? []) l.failed(u)
  for (const [id, uri] of opts.findings ?? []) l.finding(id, uri)
  const next = l.next({ ...(opts.closeBefore ? { closeBefore: opts.closeBefore } : {}), carry: null, outputs: {}, lastRun: null })
  return { verdicts, next: parseState(serializeState(next), 'test') }
}

describe('StateLedger: what a run scans', () => {
  it('scans a key once, again when its ETag changes, and a new key whatever its place in key order', () => {
    const a = obj('2026-12-02', 'b.json.gz', '"e1"')
    let { verdicts, next } = run(emptyState(['s3://trail'], null), [a])
    expect(verdicts).toEqual(['new'])
    ;({ verdicts, next } = run(next, [a, obj('2026-12-02', 'a.json.gz', '"e2"')]))
    expect(verdicts).toEqual(['processed', 'new'])
    ;({ verdicts } = run(next, [obj('2026-12-02', 'b.json.gz', '"e9"')]))
    expect(verdicts).toEqual(['changed'])
  })

  it('uses size and mtime for a local file, so a rewritten file is scanned again', () => {
    const key = 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/12/02/f.json.gz'
    const local = (size: number, mtime: number): LogObject => ({
      uri: `/data/${key}`,
      size,
      mtime: new Date(mtime),
      key: parseCloudTrailKey(key),
      open: () => Promise.reject(new Error('not read')),
    })
    const { next } = run(emptyState(['/data'], null), [local(100, 1000)])
    expect(run(next, [local(100, 1000)]).verdicts).toEqual(['processed'])
    expect(run(next, [local(100, 2000)]).verdicts).toEqual(['changed'])
    expect(run(next, [local(101, 1000)]).verdicts).toEqual(['changed'])
  })

  it('does not mark processed an object whose read failed, nor one the run did not reach', () => {
    const a = obj('2026-12-02', 'a.json.gz', '"1"')
    const b = obj('2026-12-02', 'b.json.gz', '"2"')
    const l = new StateLedger(emptyState(['s3://trail'], null))
    l.judge(a)
    l.judge(b)
    l.emitted(a.uri)
    const next = l.next({ carry: null, outputs: {}, lastRun: null })
    expect(run(next, [a, b]).verdicts).toEqual(['processed', 'new'])
    const failed = run(emptyState(['s3://trail'], null), [a], { fail: [a.uri] }).next
    expect(run(failed, [a]).verdicts).toEqual(['new'])
  })

  it('closes a day once a complete run listed it after it left the lookback: its keys and ids go, counts stay', () => {
    const old = obj('2026-11-29', 'old.json.gz', '"1"')
    const recent = obj('2026-12-02', 'new.json.gz', '"2"')
    const { next } = run(emptyState(['s3://trail'], null), [old, recent], {
      findings: [
        ['id-old', old.uri],
        ['id-new', recent.uri],
      ],
    })
    expect(Object.keys(next.groups)).toHaveLength(2)
    expect(new StateLedger(next).seenIds).toEqual(new Set(['id-old', 'id-new']))
    const closed = run(next, [old, recent], { closeBefore: firstOpenDay(new Date('2026-12-03T10:00:00Z'), 2) }).next
    expect(closed.openFrom).toBe('2026-12-01')
    expect(Object.keys(closed.groups)).toEqual([`${PREFIX}/2026/12/02/`])
    expect(closed.closed).toEqual({ days: 1, keys: 1, through: '2026-11-29' })
    expect(closed.findingIds).toEqual({ '2026-12-02': ['id-new'] })
    // A closed day is not scanned again, even for an object never seen.
    expect(run(closed, [obj('2026-11-29', 'late.json.gz', '"3"'), recent]).verdicts).toEqual(['closed', 'processed'])
    expect(new StateLedger(closed).listFrom()).toBe('2026-12-01')
  })

  it('keeps open a day holding an object that failed, so the next listing meets it again', () => {
    const older = obj('2026-11-28', 'a.json.gz', '"1"')
    const broken = obj('2026-11-29', 'changed.json.gz', '"2"')
    const recent = obj('2026-12-02', 'new.json.gz', '"3"')
    const closeBefore = firstOpenDay(new Date('2026-12-03T10:00:00Z'), 2)
    const { next } = run(emptyState(['s3://trail'], null), [older, broken, recent], { closeBefore, fail: [broken.uri] })
    expect(next.openFrom).toBe('2026-11-29')
    expect(next.closed).toEqual({ days: 1, keys: 1, through: '2026-11-28' })
    const again = run(next, [broken, recent], { closeBefore })
    expect(again.verdicts).toEqual(['new', 'processed'])
    expect(again.next.openFrom).toBe('2026-12-01')
  })

  it('lists from the first run’s --start when it is later than the open days', () => {
    const s = { ...emptyState(['s3://trail'], '2026-12-02T12:00:00.000Z'), openFrom: '2026-12-01' }
    expect(new StateLedger(s).listFrom()).toBe('2026-12-02')
  })

  it('keeps a file named __proto__ like any other', () => {
    const p = obj('2026-12-02', '__proto__', '"1"')
    const { next } = run(emptyState(['s3://trail'], null), [p])
    expect(run(next, [p]).verdicts).toEqual(['processed'])
  })
})

describe('state document', () => {
  const good = serializeState(emptyState(['/data'], null))

  it('reads back what it writes', () => {
    expect(parseState(good, 'here')).toEqual(emptyState(['/data'], null))
  })

  it.each([
    ['not JSON', Buffer.from('{"format": "trailscan-state", '), /not JSON/],
    ['another document', Buffer.from('{"hello": 1}'), /not a Trailscan state document/],
    ['a newer version', Buffer.from(good.toString().replace('"version": 1', '"version": 7')), /newer Trailscan \(state version 7/],
    ['a version never written', Buffer.from(good.toString().replace('"version": 1', '"version": 0')), /never written by Trailscan/],
    ['a group of the wrong shape', Buffer.from(good.toString().replace('"groups": {}', '"groups": {"x/": {"day": 5}}')), /group "x\/"/],
    ['a bad day', Buffer.from(good.toString().replace('"openFrom": null', '"openFrom": "yesterday"')), /"openFrom"/],
  ])('refuses %s with the reason and the location', (_, body, why) => {
    const err = (() => {
      try {
        parseState(body, '/var/lib/trailscan')
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(CorruptStateError)
    expect((err as Error).message).toMatch(why)
    expect((err as Error).message).toContain('/var/lib/trailscan')
  })
})

describe('--lookback', () => {
  it('takes whole days', () => {
    expect(parseLookback('2d')).toBe(2)
    expect(parseLookback('31d')).toBe(31)
    for (const bad of ['2', '2h', '-1d', '1.5d', 'd', '99999d']) expect(() => parseLookback(bad), bad).toThrow(UsageError)
  })

  it('keeps open the days that ended less than the lookback ago', () => {
    expect(firstOpenDay(new Date('2026-12-05T10:00:00Z'), 2)).toBe('2026-12-03')
    expect(firstOpenDay(new Date('2026-12-05T00:00:00Z'), 0)).toBe('2026-12-05')
  })
})
