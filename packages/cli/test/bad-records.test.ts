import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonLines, runCli } from './run-cli.js'

// A damaged record costs that record only, is reported with its object, index and offset (exit 3), and the
// findings around it survive, whatever the layout and whether or not a rule wanted the damaged record.
let dir: string

function rec(name: string, id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: 'arn:aws:iam::111122223333:user/mallory', accountId: '111122223333' },
    eventTime: '2024-05-14T16:05:37Z',
    eventSource: name === 'StopLogging' ? 'cloudtrail.amazonaws.com' : 'ec2.amazonaws.com',
    eventName: name,
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: name === 'StopLogging' ? { name: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/main' } : { filter: 'MARK' },
    eventID: id,
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
    ...extra,
  }
}
const compact = (records: Record<string, unknown>[]): string => `{"Records":[${records.map((r) => JSON.stringify(r)).join(',')}]}`

interface Summary {
  records: { read: number; failed: number }
  errors: { object: string; recordIndex?: number; offset?: number; message: string }[]
}

async function scan(
  file: string,
  env?: NodeJS.ProcessEnv,
): Promise<{ code: number | null; findings: string[]; summary: Summary; stderr: string }> {
  const summaryFile = join(dir, `${file}.${env ? 'env' : 'plain'}.summary.json`)
  const r = await runCli(['scan', join(dir, file), '--rules', 'cis-aws-foundations', '--summary-json', summaryFile], { env })
  const findings = jsonLines(r.stdout).map((f) => `${f.eventId}@${(f.source as { recordIndex: number }).recordIndex}`)
  return {
    code: r.code,
    findings: [...new Set(findings)].sort(),
    summary: JSON.parse(await readFile(summaryFile, 'utf8')) as Summary,
    stderr: r.stderr,
  }
}

let malformed: string
let hole: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trailscan-bad-records-'))
  // `[1,}` inside a record no rule of the pack wants, between two StopLogging records.
  malformed = compact([rec('StopLogging', 's-0'), rec('DescribeInstances', 'd-1'), rec('StopLogging', 's-2')]).replace('"MARK"', '[1,}')
  await writeFile(join(dir, 'malformed.json.gz'), gzipSync(malformed))
  await writeFile(join(dir, 'unbalanced.json'), '{"Records":[{"eventName":"X","a":[1,}]}')
  const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify(rec(i % 10 === 0 ? 'StopLogging' : 'DescribeInstances', `l-${i}`)))
  lines[11] = lines[11]!.slice(0, 200)
  await writeFile(join(dir, 'torn.jsonl'), lines.join('\n') + '\n')
  // 100 bytes cut out of record 1 over its eventName (compact layout, no array in it).
  const holed = compact([rec('StopLogging', 'h-0'), rec('StopLogging', 'h-1'), rec('StopLogging', 'h-2')])
  const from = holed.indexOf('cloudtrail.ama', holed.indexOf('"h-0"')) + 14
  hole = holed.slice(0, from) + holed.slice(holed.indexOf('"awsRegion"', from) + 6)
  await writeFile(join(dir, 'hole.json'), hole)
  const d1 = compact([rec('StopLogging', 'c-0'), rec('DescribeInstances', 'c-1')])
  const d2 = compact([rec('StopLogging', 'c-2'), rec('StopLogging', 'c-3')])
  await writeFile(join(dir, 'concat.json.gz'), Buffer.concat([gzipSync(d1), gzipSync(d2)]))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('trailscan scan on damaged records', () => {
  it('reports a malformed record no rule wanted, by index and offset, and keeps the findings around it', async () => {
    const r = await scan('malformed.json.gz')
    expect(r.code).toBe(3)
    expect(r.findings).toEqual(['s-0@0', 's-2@2'])
    expect(r.summary.records).toMatchObject({ read: 3, failed: 1 })
    const offset = malformed.indexOf('{"eventVersion":"1.08","userIdentity"', 10 + malformed.indexOf('"s-0"'))
    expect(r.summary.errors).toEqual([expect.objectContaining({ object: join(dir, 'malformed.json.gz'), recordIndex: 1, offset })])
    expect(r.summary.errors[0]!.message).toMatch(/^record 1: unbalanced brackets/)
    expect(r.stderr).toMatch(/record 1: unbalanced brackets/)
  })

  it('ends an object with unbalanced brackets at once, with exit 3', async () => {
    const r = await scan('unbalanced.json')
    expect(r.code).toBe(3)
    expect(r.summary.errors).toEqual([expect.objectContaining({ recordIndex: 0, offset: 12 })])
  })

  it('loses only the torn line of a JSON Lines file', async () => {
    const r = await scan('torn.jsonl')
    expect(r.code).toBe(3)
    expect(r.findings).toEqual(['l-0@0', 'l-10@10', 'l-20@20'])
    expect(r.summary.records).toMatchObject({ read: 30, failed: 1 })
    expect(r.summary.errors).toEqual([expect.objectContaining({ recordIndex: 11 })])
  })

  it('reports a hole over an eventName in the compact layout instead of passing the record by', async () => {
    // The cut leaves the file invalid for a JSON parser, and record 1 without an eventName to index it by.
    expect(() => JSON.parse(hole) as unknown).toThrow()
    expect(hole.match(/"eventName":/g)).toHaveLength(2)
    const r = await scan('hole.json')
    expect(r.code).toBe(3)
    expect(r.findings).toEqual(['h-0@0', 'h-2@2'])
    expect(r.summary.errors).toEqual([expect.objectContaining({ recordIndex: 1 })])
  })

  it('reads the same where WebAssembly is not available (node --jitless): the JS walk does the splitting', async () => {
    for (const file of ['malformed.json.gz', 'unbalanced.json', 'torn.jsonl', 'hole.json', 'concat.json.gz']) {
      const [wasm, js] = await Promise.all([scan(file), scan(file, { NODE_OPTIONS: '--jitless' })])
      expect(js.summary.errors, file).toEqual(wasm.summary.errors)
      expect({ code: js.code, findings: js.findings, records: js.summary.records }, file).toEqual({
        code: wasm.code,
        findings: wasm.findings,
        records: wasm.summary.records,
      })
    }
    // Ten CLI runs, half of them interpreted, each starting a worker thread that loads the engine again.
  }, 60_000)

  it('reads every record of concatenated gzip members of Records documents', async () => {
    const r = await scan('concat.json.gz')
    expect(r.code).toBe(0)
    expect(r.findings).toEqual(['c-0@0', 'c-2@2', 'c-3@3'])
    expect(r.summary.records.read).toBe(4)
    expect(r.summary.errors).toEqual([])
  })
})
