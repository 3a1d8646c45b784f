import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from './run-cli.js'

/**
 * The CLI's whole output on the fixtures, held byte for byte in test/golden/: the findings on stdout (table and
 * JSONL), the summary and log lines on stderr, the --summary-json document and the exit code. A change to any of
 * them shows up here as a diff to review; `pnpm test:update-golden` rewrites the files after a deliberate change.
 * Only what differs from run to run is normalised: timings, rates, log timestamps, startedAt, absolute paths.
 */

const repo = fileURLToPath(new URL('../../../', import.meta.url))
const fixtures = join(repo, 'fixtures')
const tmp = mkdtempSync(join(tmpdir(), 'trailscan-golden-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const datasets = readdirSync(fixtures, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(fixtures, e.name, 'expected-findings.jsonl')))
  .map((e) => e.name)
  .sort()

/** The README's quick-start command, as written there after `pnpm trailscan`. */
const QUICK_START = ['scan', 'fixtures/cis-controls', '--rules', 'cis-aws-foundations', '--format', 'table']

export function normalise(text: string): string {
  return (
    text
      .replaceAll(repo, '<repo>/')
      .replaceAll(tmp, '<tmp>')
      // the summary's last line: wall time and the rates derived from it
      .replace(/^( {2}time {6}).*$/gm, '$1<varies>')
      // pino's timestamp on each log line
      .replace(/"time":\d+/g, '"time":"<varies>"')
      // --summary-json: when the scan started, how long it took, and the rates
      .replace(/("(?:startedAt|durationMs|recordsPerSecond|decompressedMBPerSecond)": )[^,\n}]+/g, '$1"<varies>"')
  )
}

async function transcript(args: readonly string[], summaryJson?: string): Promise<string> {
  const r = await runCli(summaryJson ? [...args, '--summary-json', summaryJson] : args, { cwd: repo })
  const parts = [`$ trailscan ${args.join(' ')}`, `exit ${r.code}`, '--- stdout', r.stdout, '--- stderr', r.stderr]
  if (summaryJson) parts.push('--- summary.json', readFileSync(summaryJson, 'utf8'))
  return normalise(parts.join('\n'))
}

describe('golden output on the fixtures', () => {
  it('has fixture datasets', () => {
    expect(datasets.length).toBeGreaterThan(5)
  })

  it('the README quick-start table', async () => {
    await expect(await transcript(QUICK_START)).toMatchFileSnapshot('golden/quick-start.txt')
  })

  it.each(datasets)('%s as a table', async (name) => {
    await expect(await transcript(['scan', `fixtures/${name}`, '--format', 'table'])).toMatchFileSnapshot(`golden/${name}.table.txt`)
  })

  it.each(datasets)('%s as JSONL, with the summary document', async (name) => {
    const out = await transcript(['scan', `fixtures/${name}`, '--format', 'jsonl'], join(tmp, `${name}.summary.json`))
    await expect(out).toMatchFileSnapshot(`golden/${name}.jsonl.txt`)
  })

  it('public-s3 with its --context accounts file', async () => {
    const args = ['scan', 'fixtures/public-s3', '--format', 'jsonl', '--context', 'fixtures/public-s3/accounts.yaml']
    await expect(await transcript(args, join(tmp, 'context.summary.json'))).toMatchFileSnapshot('golden/public-s3.context.jsonl.txt')
  })

  it('the README shows the quick-start output as the CLI prints it', async () => {
    const readme = readFileSync(join(repo, 'README.md'), 'utf8')
    const shown = /The first command prints the findings table[^]*?```text\n([^]*?)```/.exec(readme)?.[1]
    expect(shown, 'README: the quick-start output block').toBeDefined()
    const r = await runCli(QUICK_START, { cwd: repo })
    expect(normalise(shown!)).toBe(normalise(r.stdout + r.stderr))
  })
})
