import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { listLocalObjects, loadRuleSet, parseYaml, scan, type AccountContext, type Finding } from '@trailscan/engine'

const repo = fileURLToPath(new URL('../../../../', import.meta.url))
const packsDir = join(repo, 'packages/rules/rules')

/** Every shipped pack's directory. */
export const everyPack = readdirSync(packsDir, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => join(packsDir, e.name))
  .sort()

/** Every fixture folder (a dataset with its expected findings). */
export const everyFixture = readdirSync(join(repo, 'fixtures'), { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(repo, 'fixtures', e.name, 'expected-findings.jsonl')))
  .map((e) => e.name)
  .sort()

/**
 * The findings of every fixture scanned with every shipped pack, by fixture name; public-s3 also with its
 * accounts file as scan context (`public-s3+context`), so context reaches the formats too.
 */
export async function fixtureFindings(): Promise<Map<string, Finding[]>> {
  const { rules, diagnostics } = await loadRuleSet(everyPack)
  if (diagnostics.length > 0) throw new Error(diagnostics.map((d) => d.message).join('; '))
  const out = new Map<string, Finding[]>()
  const runs: [string, string, Record<string, AccountContext>?][] = everyFixture.map((f) => [f, f])
  const accounts = parseYaml(readFileSync(join(repo, 'fixtures/public-s3/accounts.yaml'), 'utf8')) as {
    accounts: Record<string, AccountContext>
  }
  runs.push(['public-s3+context', 'public-s3', accounts.accounts])
  for (const [name, dir, context] of runs) {
    const findings: Finding[] = []
    await scan({
      objects: listLocalObjects([join(repo, 'fixtures', dir)]),
      rules,
      ...(context ? { context } : {}),
      onFinding: (f) => findings.push(f),
      onError: () => {},
    })
    out.set(name, findings)
  }
  return out
}
