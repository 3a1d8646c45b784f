import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SourceReadError } from '../errors.js'
import { listLocalObjects } from './local.js'

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trailscan-local-'))
  const day = join(dir, 'AWSLogs/111122223333/CloudTrail/eu-west-1/2024/03/05')
  await mkdir(day, { recursive: true })
  await writeFile(join(day, '111122223333_CloudTrail_eu-west-1_20240305T0100Z_abcdefghijklmnop.json.gz'), 'x')
  await writeFile(join(day, 'b.json'), '{}')
  await writeFile(join(dir, 'README.md'), '# notes')
  await writeFile(join(dir, 'expected-findings.jsonl'), '')
  await writeFile(join(dir, '.hidden.json'), '{}')
  await symlink(join(dir, 'missing.json'), join(dir, 'dangling.json'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('listLocalObjects', () => {
  it('walks directories in sorted order, reading log-named files and reporting the rest as skipped', async () => {
    const skipped: string[] = []
    const errors: SourceReadError[] = []
    const objs = []
    for await (const o of listLocalObjects([dir], { onSkip: (p) => skipped.push(p), onError: (e) => errors.push(e) })) objs.push(o)
    expect(objs.map((o) => o.uri.slice(dir.length + 1))).toEqual([
      'AWSLogs/111122223333/CloudTrail/eu-west-1/2024/03/05/111122223333_CloudTrail_eu-west-1_20240305T0100Z_abcdefghijklmnop.json.gz',
      'AWSLogs/111122223333/CloudTrail/eu-west-1/2024/03/05/b.json',
    ])
    expect(skipped.map((p) => p.slice(dir.length + 1)).sort()).toEqual(['.hidden.json', 'README.md', 'expected-findings.jsonl'])
    expect(errors).toHaveLength(1)
    expect(errors[0]!.location?.object).toBe(join(dir, 'dangling.json'))
  })

  it('parses the CloudTrail key layout of each file', async () => {
    const first = (await listLocalObjects([dir]).next()).value!
    expect(first.key).toEqual({ kind: 'log', prefix: `${dir}/`, account: '111122223333', region: 'eu-west-1', deliveryDate: '2024-03-05' })
  })

  it('reads a named file whatever its name, and reports a missing path', async () => {
    const errors: SourceReadError[] = []
    const objs = []
    for await (const o of listLocalObjects([join(dir, 'README.md'), join(dir, 'nope')], { onError: (e) => errors.push(e) })) objs.push(o)
    expect(objs.map((o) => o.uri)).toEqual([join(dir, 'README.md')])
    expect(errors[0]!.message).toMatch(/cannot read path/)
  })
})
