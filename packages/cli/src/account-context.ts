import { readFile } from 'node:fs/promises'
import type { AccountContext } from '@trailscan/engine'
import { parse } from 'yaml'
import { EXIT } from './exit-codes.js'
import { CliExit } from './fail.js'

/**
 * `--context accounts.yaml`: account ids mapped to a name, an environment and an owner, either under an
 * `accounts:` key or at the top level. Ids are quoted or not; YAML would read an unquoted id as a number,
 * so keys are taken as text and checked to be 12 digits.
 */
export async function loadAccountContext(path: string): Promise<Record<string, AccountContext>> {
  let doc: unknown
  try {
    doc = parse(await readFile(path, 'utf8'), { intAsBigInt: true })
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
      ctx[f] = v[f] as string
    }
    out[key] = ctx
  }
  return out
}
