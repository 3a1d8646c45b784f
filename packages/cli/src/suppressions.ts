import { readFile } from 'node:fs/promises'
import { isCalendarDate, parseYaml, type Suppression } from '@trailscan/engine'
import { EXIT } from './exit-codes.js'
import { CliExit } from './fail.js'

const FIELDS = new Set(['rule', 'principal', 'account', 'userAgent', 'reason', 'expires'])

/**
 * `--suppressions FILE`: a YAML list (or `suppressions:` key) of entries. Each needs a reason and an expiry
 * date and at least one of rule, principal, account, userAgent; a suppression that matches everything forever
 * is refused rather than taken on trust.
 */
export async function loadSuppressions(path: string): Promise<Suppression[]> {
  let doc: unknown
  try {
    doc = parseYaml(await readFile(path, 'utf8'))
  } catch (e) {
    throw new CliExit(EXIT.usage, `--suppressions ${path}: ${(e as Error).message}`)
  }
  const list = Array.isArray(doc) ? doc : (doc as { suppressions?: unknown } | null)?.suppressions
  if (!Array.isArray(list)) throw new CliExit(EXIT.usage, `--suppressions ${path}: expected a list of entries under "suppressions:"`)
  return list.map((raw, i) => {
    const where = `--suppressions ${path}: entry ${i + 1}`
    if (typeof raw !== 'object' || raw === null) throw new CliExit(EXIT.usage, `${where} is not a mapping`)
    const e = raw as Record<string, unknown>
    for (const k of Object.keys(e)) if (!FIELDS.has(k)) throw new CliExit(EXIT.usage, `${where}: unknown field "${k}"`)
    const expires = e.expires instanceof Date ? e.expires.toISOString().slice(0, 10) : e.expires
    if (typeof e.reason !== 'string' || e.reason.trim() === '') throw new CliExit(EXIT.usage, `${where} needs a reason`)
    if (typeof expires !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(expires))
      throw new CliExit(EXIT.usage, `${where} needs an expiry date (expires: YYYY-MM-DD)`)
    if (!isCalendarDate(expires)) throw new CliExit(EXIT.usage, `${where}: expires ${JSON.stringify(expires)} is not a calendar date`)
    const s: Suppression = { reason: e.reason, expires: expires.slice(0, 10) }
    for (const k of ['rule', 'principal', 'account', 'userAgent'] as const) {
      if (e[k] === undefined) continue
      if (typeof e[k] !== 'string' && typeof e[k] !== 'number') throw new CliExit(EXIT.usage, `${where}: ${k} must be text`)
      s[k] = k === 'account' ? String(e[k]).padStart(12, '0') : String(e[k])
    }
    if (!s.rule && !s.principal && !s.account && !s.userAgent)
      throw new CliExit(EXIT.usage, `${where} must name at least one of rule, principal, account, userAgent`)
    return s
  })
}
