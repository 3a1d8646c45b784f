import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { centralScenario, localSource } from './support/state-harness.js'

const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

// TRAILSCAN_STATE_SEED reproduces a failure; the default seeds run in CI.
const SEEDS = process.env.TRAILSCAN_STATE_SEED ? [Number(process.env.TRAILSCAN_STATE_SEED)] : [14]

describe('scheduled scans on local state: nothing missed, nothing twice, across SIGKILLs', () => {
  for (const seed of SEEDS)
    it(`seed ${seed}: the appended output of killed and completed runs is one full scan, each id once`, { timeout: 240_000 }, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'trailscan-central-'))
      dirs.push(dir)
      const source = localSource(join(dir, 'bucket'))
      const r = await centralScenario(
        { ...source, state: join(dir, 'state'), args: [] },
        { seed, fullDir: join(dir, 'full', 'bucket'), out: join(dir, 'out.jsonl') },
      )
      const why = `seed ${seed} (TRAILSCAN_STATE_SEED=${seed} reproduces it); runs: ${JSON.stringify(r.runs.map((x) => x.code ?? `killed@${x.killedAfterMs}ms`))}`
      expect(r.runs.filter((x) => x.code === null).length, why).toBeGreaterThanOrEqual(5)
      expect(r.runs.at(-1)!.code, `${why}\n${r.runs.at(-1)!.stderr}`).toBe(0)
      const dupes = r.ids.filter((id, i) => r.ids.indexOf(id) !== i)
      expect(dupes, why).toEqual([])
      expect([...r.ids].sort(), why).toEqual([...r.expected].sort())
      expect(r.expected.length).toBeGreaterThan(100)
    })
})
