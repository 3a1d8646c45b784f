import { existsSync, readdirSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './run-cli.js'

const fixturesDir = fileURLToPath(new URL('../../../fixtures/', import.meta.url))
// The reference datasets sit beside the repository (../shared/datasets); a clone without them skips that case.
const datasetsDir = fileURLToPath(new URL('../../../../shared/datasets/', import.meta.url))
const fixtureDirs = readdirSync(fixturesDir, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => join(fixturesDir, e.name))
  .sort()

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trailscan-workers-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

interface Run {
  code: number | null
  stdout: string
  /** The summary without what depends on the clock. */
  summary: unknown
  /** The log lines without their timestamps. */
  logs: string
}

async function scanWith(path: string, workers: number): Promise<Run> {
  const summaryFile = join(dir, `summary-${workers}.json`)
  // Every shipped pack (the default), alarms replayed: every stage that holds state across objects is involved.
  const r = await runCli(['scan', path, '--workers', String(workers), '--alarms', '--summary-json', summaryFile, '--allow-empty'], {
    timeoutMs: 120_000,
  })
  const {
    durationMs: _d,
    throughput: _t,
    startedAt: _s,
    ...summary
  } = JSON.parse(await readFile(summaryFile, 'utf8')) as Record<string, unknown>
  return { code: r.code, stdout: r.stdout, summary, logs: r.stderr.replace(/"time":\d+,/g, '').replace(/^ {2}time .*$/m, '') }
}

describe('--workers N gives the same scan for every N', () => {
  it.each(fixtureDirs.map((d) => [d.slice(fixturesDir.length)]))(
    'fixtures/%s: findings, their order, the summary, the logs and the exit code with 1, 2 and 4 workers',
    async (name) => {
      const one = await scanWith(join(fixturesDir, name), 1)
      expect((one.summary as { objects: { read: number } }).objects.read).toBeGreaterThan(0)
      for (const n of [2, 4]) expect(await scanWith(join(fixturesDir, name), n)).toEqual(one)
    },
    120_000,
  )

  it.skipIf(!existsSync(datasetsDir))(
    '../shared/datasets (skipped when absent): the same with 1, 2 and 4 workers',
    async () => {
      const one = await scanWith(datasetsDir, 1)
      expect(one.stdout.split('\n').length).toBeGreaterThan(100)
      for (const n of [2, 4]) expect(await scanWith(datasetsDir, n)).toEqual(one)
    },
    180_000,
  )

  it('refuses --workers 0 and a fraction as usage errors (exit 2)', async () => {
    for (const bad of ['0', '1.5']) {
      const r = await runCli(['scan', fixturesDir, '--workers', bad])
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/--workers/)
    }
  })
})
