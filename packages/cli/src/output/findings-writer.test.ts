import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scan, type AlarmPeriod, type RemediationRecord } from '@trailscan/engine'
import { FindingsWriter } from './findings-writer.js'
import { OutputTarget } from './output-target.js'
import { summaryText } from './summary-text.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trailscan-writer-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const alarm: AlarmPeriod = {
  kind: 'alarm',
  id: 'a'.repeat(32),
  ruleId: 'cis-4.3',
  title: 'Root account usage',
  periodStart: '2024-06-04T09:00:00.000Z',
  periodEnd: '2024-06-04T09:05:00.000Z',
  count: 1,
  threshold: 1,
}
const remediation: RemediationRecord = {
  kind: 'remediation',
  id: 'b'.repeat(32),
  findingId: 'c'.repeat(32),
  ruleId: 'public-s3-acl-cli',
  account: '111122223333',
  bucket: 'example-\u001b[2Jassets',
  exposedAt: '2024-06-04T09:00:00Z',
  eventTime: '2024-06-04T09:30:00Z',
  eventId: 'e-2',
  eventName: 'PutBucketAcl',
  actor: {
    arn: 'arn:aws:iam::111122223333:user/bob',
    type: 'IAMUser',
    userName: 'bob',
    accessKeyId: null,
    accountId: '111122223333',
    sessionIssuer: null,
  },
  how: 'ACL replaced with one that grants no public group',
}

async function written(format: 'jsonl' | 'table'): Promise<string> {
  const path = join(dir, `out.${format}`)
  const writer = new FindingsWriter(format, OutputTarget.file(path, '--out'))
  await writer.close([alarm], [remediation])
  return readFile(path, 'utf8')
}

describe('FindingsWriter and remediation records', () => {
  it('writes them as JSON lines after the alarm periods, marked "kind":"remediation"', async () => {
    const lines = (await written('jsonl')).trimEnd().split('\n')
    expect(lines.map((l) => (JSON.parse(l) as { kind: string }).kind)).toEqual(['alarm', 'remediation'])
    expect(JSON.parse(lines[1]!)).toEqual(remediation)
    expect(lines[1]).not.toContain('\u001b')
  })

  it('shows them in the table format: when, rule, resource, by whom, and the finding they close', async () => {
    const text = await written('table')
    const table = text.slice(text.indexOf('Remediated'))
    expect(table).toContain('CLOSED AT')
    expect(table).toMatch(
      /2024-06-04T09:30:00Z\s+public-s3-acl-cli\s+111122223333\s+example-\\x1b\[2Jassets\s+arn:aws:iam::111122223333:user\/bob/,
    )
    expect(table).toContain('c'.repeat(32))
    expect(text).not.toContain('\u001b')
  })
})

describe('summaryText and remediation records', () => {
  it('counts them on a line of their own, and has no such line without them', async () => {
    const summary = await scan({ objects: [], rules: [], onFinding: () => undefined })
    expect(summaryText(summary)).not.toContain('remediated')
    summary.remediations = [remediation]
    expect(summaryText(summary)).toContain('  remediated 1 exposures found by an earlier run\n')
  })
})
