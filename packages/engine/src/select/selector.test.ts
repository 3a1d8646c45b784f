import { describe, expect, it } from 'vitest'
import { compileRule } from '../match/compile.js'
import type { CompiledRule } from '../match/matcher.js'
import type { RecordText } from '../read/records.js'
import type { RuleSpec } from '../rules/spec.js'
import { RawFieldReader } from './raw-fields.js'
import { RecordFilter } from './record-filter.js'
import { RuleIndex } from './rule-index.js'
import { SKIP, Selector, type SelectPlan } from './selector.js'

const spec = (id: string, pattern: string): RuleSpec => ({
  id,
  title: id,
  severity: 'low',
  language: 'cwl-filter',
  pattern,
  examples: { match: [], noMatch: [] },
})
const rules: CompiledRule[] = [
  compileRule(spec('named', '{ $.eventName = "StopLogging" }')),
  compileRule(spec('denied', '{ $.errorCode = "*UnauthorizedOperation" || $.errorCode = "AccessDenied*" }')),
  compileRule(spec('root', '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS }')),
  // Past eight literals the unindexed rules are found by one regex over the chunk as text: its cursor is
  // per-object state too.
  ...Array.from({ length: 10 }, (_, i) => compileRule(spec(`rare-${i}`, `{ $.requestParameters.tag = "rare-${i}" }`))),
]

function records(names: readonly string[], tagged = true): { buf: Buffer; spans: RecordText[] } {
  const texts = names.map((n, i) =>
    JSON.stringify({
      eventVersion: '1.08',
      userIdentity: { type: i % 3 === 0 ? 'Root' : 'IAMUser' },
      eventName: n,
      ...(i % 2 ? { errorCode: 'AccessDenied' } : {}),
      requestParameters: { tag: tagged ? `rare-${i % 10}` : 'none' },
    }),
  )
  const buf = Buffer.from(`{"Records":[${texts.join(',')}]}`, 'latin1')
  let at = '{"Records":['.length
  const spans = texts.map((t, index) => {
    const start = at
    at += t.length + 1
    return {
      index,
      bytes: buf,
      start,
      end: start + t.length,
      get raw() {
        return buf.toString('latin1', start, start + t.length)
      },
      json: () => buf.toString('utf8', start, start + t.length),
    } as unknown as RecordText
  })
  return { buf, spans }
}

function answer(s: Selector, rt: RecordText): string {
  const sel = s.select(rt)
  if (sel === SKIP) return 'skip'
  const rs = sel.rules(JSON.parse(rt.json()) as Record<string, unknown>)
  return rs === SKIP ? 'filtered' : rs.map((r) => r.id).join(',')
}

describe('Selector', () => {
  const plan = (watched: string[] = []): SelectPlan => ({
    index: new RuleIndex(rules),
    filter: new RecordFilter({}, 1),
    watched: new Set(watched),
    reader: new RawFieldReader(),
  })

  it('keeps its scratch per object: two objects selected record by record, interleaved, answer as each alone', () => {
    const a = records(['StopLogging', 'GetObject', 'PutObject', 'StopLogging', 'ListBuckets', 'Decrypt', 'GetObject', 'PutBucketAcl'])
    const b = records(['Decrypt', 'StopLogging', 'ListBuckets', 'GetObject', 'PutObject', 'StopLogging', 'CreateUser', 'DeleteUser'])
    const p = plan()
    const alone = (o: typeof a): string[] => {
      const s = new Selector(p)
      return o.spans.map((rt) => answer(s, rt))
    }
    const sa = new Selector(p)
    const sb = new Selector(p)
    const interleaved: [string[], string[]] = [[], []]
    for (let i = 0; i < a.spans.length; i++) {
      interleaved[0].push(answer(sa, a.spans[i]!))
      interleaved[1].push(answer(sb, b.spans[i]!))
    }
    expect(interleaved).toEqual([alone(a), alone(b)])
    expect(alone(a)).toContain('named,root,rare-0')
  })

  it('lets through the events a later stage watches, with no rule to run', () => {
    // IAMUser, no error, no rare tag: no rule can fire on the third record.
    const { spans } = records(['GetObject', 'GetObject', 'PutBucketAcl'], false)
    expect(spans.map((rt) => answer(new Selector(plan()), rt))).toEqual(['root', 'denied', 'skip'])
    expect(spans.map((rt) => answer(new Selector(plan(['PutBucketAcl'])), rt))).toEqual(['root', 'denied', ''])
  })
})
