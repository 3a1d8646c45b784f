import { readFile } from 'node:fs/promises'
import { parseYaml, type AccountContext } from '@trailscan/engine'
import { EXIT } from './exit-codes.js'
import { CliExit } from './fail.js'

/**
 * `--context accounts.yaml`: account ids mapped to a name, an environment and an owner, either under an
 * `accounts:` key or at the top level. Ids are quoted or not; YAML reads an unquoted id as a number and drops a
 * leading zero, so keys are taken as text, padded back to 12 digits and checked.
 */
export async function loadAccountContext(path: string): Promise<Record<string, AccountContext>> {
  let doc: unknown
  try {
    doc = parseYaml(await readFile(path, 'utf8'))
  } catch (e) {
    throw new CliExit(EXIT.usage, `--context ${path}: ${(e as Error).message}`)
  }
  const root = (doc as { accounts?: unknown } | null)?.accounts ?? doc
  if (typeof root !== 'object' || root === null || Array.isArray(root))
    throw new CliExit(EXIT.usage, `--context ${path}: expected a mapping of account ids to {name, environment, owner}`)
  const out: Record<string, AccountContext> = {}
  for (const [id, value] of Object.entries(root as Record<string, unknown>)) {
    const key = id.padStart(12, '0')
    if (!/^\d{12}$/.test(key)) throw new CliExit(EXIT.usage, `--context ${path}: "${id}" is not a 12-digit account id`)
    const v = (value ?? {}) as Record<string, unknown>
    const ctx: AccountContext = {}
    for (const f of ['name', 'environment', 'owner'] as const) {
      if (v[f] === undefined) continue
      if (typeof v[f] !== 'string') throw new CliExit(EXIT.usage, `--context ${path}: ${id}.${f} must be text`)
      ctx[f] = v[f]
    }
    out[key] = ctx
  }
  return out
}
