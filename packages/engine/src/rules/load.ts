import { readFileSync } from 'node:fs'
import { readFile, readdir, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { CORE_SCHEMA, load, loadAll } from 'js-yaml'
import { NOT_PLAIN, parseBlockYaml } from './block-yaml.js'
import { checkRuleShape, type RuleDiagnostic } from './schema.js'
import { isSigmaDocument, sigmaRuleSpec } from './sigma-rule.js'
import type { RuleSpec } from './spec.js'

/**
 * Reads rule files (YAML, one rule per file) and packs (a directory of them, with an optional pack.yaml).
 * Loading never throws for bad content: every problem is a diagnostic naming the file, line and column, so
 * `rules check` can list them all and `scan` can refuse to start with all of them in view.
 */
export interface PackInfo {
  id: string
  title?: string
  description?: string
  version?: string
  dir: string
}

export interface LoadedRule {
  spec: RuleSpec
  /** The rule file's text as read, kept to place a pattern error without reading the file again. */
  text?: string
}

export interface LoadResult {
  rules: LoadedRule[]
  packs: PackInfo[]
  diagnostics: RuleDiagnostic[]
}

const RULE_FILE = /\.ya?ml$/i

export interface LoadOptions {
  /** Rules already read for a path (the shipped packs' build-time snapshot), or undefined to read the path. */
  preloaded?: (path: string) => Pick<LoadResult, 'rules' | 'packs'> | undefined
}

export async function loadRules(paths: readonly string[], opts: LoadOptions = {}): Promise<LoadResult> {
  const result: LoadResult = { rules: [], packs: [], diagnostics: [] }
  for (const p of paths) {
    const pre = opts.preloaded?.(p)
    if (pre) {
      result.rules.push(...pre.rules)
      result.packs.push(...pre.packs)
      continue
    }
    let st
    try {
      st = await stat(p)
    } catch (err) {
      result.diagnostics.push({ severity: 'error', file: p, message: `cannot read rules: ${(err as Error).message}` })
      continue
    }
    if (st.isDirectory()) await loadDir(p, result)
    else await loadFile(p, basename(dirname(p)), result)
  }
  const seen = new Map<string, string>()
  for (const r of result.rules) {
    const prev = seen.get(r.spec.id)
    if (prev !== undefined)
      result.diagnostics.push({
        severity: 'error',
        ruleId: r.spec.id,
        file: r.spec.file,
        message: `duplicate rule id ${r.spec.id} (also in ${prev})`,
      })
    else seen.set(r.spec.id, r.spec.file ?? '')
  }
  return result
}

async function loadDir(dir: string, result: LoadResult): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))
  let pack = basename(dir)
  const packFile = entries.find((e) => e.isFile() && /^pack\.ya?ml$/.test(e.name))
  if (packFile) {
    const info = await readPackFile(join(dir, packFile.name), dir, result)
    if (info) pack = info.id
  }
  // Rule files are small and many (a user directory may hold a thousand): read synchronously, since each async
  // read is four thread-pool round trips (open, stat, read, close) that cost more than the read itself; nothing
  // else runs while rules load. A thousand files: ~20 ms, against ~70 ms waiting on concurrent async reads.
  const files = entries.filter((e) => e.isFile() && RULE_FILE.test(e.name) && e !== packFile).map((e) => join(dir, e.name))
  for (const f of files) addRuleText(f, pack, readText(f), result)
  for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.')) await loadDir(join(dir, e.name), result)
}

async function readPackFile(file: string, dir: string, result: LoadResult): Promise<PackInfo | undefined> {
  let doc: Record<string, unknown> | undefined
  try {
    doc = parseYaml(await readFile(file, 'utf8')) as Record<string, unknown> | undefined
  } catch (e) {
    result.diagnostics.push(yamlError(file, e))
    return undefined
  }
  if (typeof doc?.id !== 'string') {
    result.diagnostics.push({ severity: 'error', file, message: 'pack.yaml needs an id' })
    return undefined
  }
  const info: PackInfo = { id: doc.id, dir }
  for (const k of ['title', 'description', 'version'] as const) {
    const v = doc[k]
    if (typeof v === 'string') info[k] = v
  }
  result.packs.push(info)
  return info
}

async function loadFile(file: string, pack: string, result: LoadResult): Promise<void> {
  addRuleText(file, pack, await readFile(file, 'utf8').catch((err: Error) => err), result)
}

function readText(file: string): string | Error {
  try {
    return readFileSync(file, 'utf8')
  } catch (err) {
    return err as Error
  }
}

function addRuleText(file: string, pack: string, text: string | Error, result: LoadResult): void {
  if (text instanceof Error) {
    result.diagnostics.push({ severity: 'error', file, message: `cannot read: ${text.message}` })
    return
  }
  let value: unknown
  try {
    value = parseYaml(text)
  } catch (e) {
    const docs = sigmaDocuments(text)
    if (docs) for (const doc of docs) addSigma(doc, file, pack, text, result)
    else result.diagnostics.push(yamlError(file, e))
    return
  }
  if (isSigmaDocument(value)) {
    addSigma(value as Record<string, unknown>, file, pack, text, result)
    return
  }
  const problems = checkRuleShape(value)
  if (problems.length > 0) {
    result.diagnostics.push(...problems.map((d) => ({ ...d, file })))
    return
  }
  result.rules.push({ spec: { ...(value as RuleSpec), pack, file }, text })
}

function addSigma(doc: Record<string, unknown>, file: string, pack: string, text: string, result: LoadResult): void {
  const loaded = sigmaRuleSpec(doc, file, pack, text)
  if ('spec' in loaded) result.rules.push({ spec: loaded.spec, text })
  else result.diagnostics.push(loaded.diagnostic)
}

/**
 * A Sigma file holding several YAML documents (a rule with its correlation, a rule collection): its documents
 * when every one is Sigma, else undefined (the file's YAML error stands).
 */
function sigmaDocuments(text: string): Record<string, unknown>[] | undefined {
  let docs: unknown[]
  try {
    docs = loadAll(text, undefined, { schema: CORE_SCHEMA }).filter((d) => d !== null && d !== undefined)
    for (const d of docs) checkExpandedSize(d)
  } catch {
    return undefined
  }
  return docs.length > 1 && docs.every(isSigmaDocument) ? (docs as Record<string, unknown>[]) : undefined
}

/**
 * YAML 1.2 core schema: no timestamps, so `eventTime: 2024-05-01T10:00:00Z` in an example stays the string a
 * CloudTrail record holds. js-yaml, because it parses rule files 2.5–5× faster than the \`yaml\` package did
 * (measured on the shipped packs and on 1,000 generated rules), and a thousand-rule directory is a real use.
 */
export function parseYaml(text: string): unknown {
  // Plain block YAML, the form most rule files take, is read by block-yaml.ts in about half the time.
  const plain = parseBlockYaml(text)
  if (plain !== NOT_PLAIN) return plain // no anchors or aliases: block-yaml.ts leaves `&` and `*` to js-yaml
  const doc = load(text, { schema: CORE_SCHEMA })
  checkExpandedSize(doc)
  return doc
}

/**
 * The most nodes (mappings, sequences and scalars) a YAML document read by Trailscan (rule files, pack.yaml,
 * suppressions, account context) may hold once its aliases are expanded, if it uses aliases at all. js-yaml shares an aliased node instead
 * of copying it, so a 700-byte "billion laughs" loads at once and explodes later, in whatever walks it (pattern
 * validation, `rules test` on its examples). The largest shipped rule file holds under 500 nodes.
 */
export const MAX_YAML_NODES = 100_000

/**
 * Counts the expanded tree without expanding it: each distinct node is visited once and its expanded size
 * remembered, so the check costs O(distinct nodes) however large the expansion. Iterative: documents can be deep.
 */
function checkExpandedSize(root: unknown): void {
  if (root === null || typeof root !== 'object') return
  const size = new Map<object, number>()
  const open = new Set<object>()
  let distinct = 0
  const stack: object[] = [root]
  while (stack.length > 0) {
    const node = stack[stack.length - 1] as object
    if (size.has(node)) {
      stack.pop()
      continue
    }
    const children = Object.values(node).filter((c): c is object => c !== null && typeof c === 'object')
    if (!open.has(node)) {
      open.add(node)
      for (const c of children) {
        // An open node is an ancestor of this one: an alias to it would expand forever.
        if (open.has(c)) throw new Error('an alias refers to a node that contains it')
        if (!size.has(c)) stack.push(c)
      }
      continue
    }
    const own = 1 + Object.keys(node).length - children.length
    distinct += own
    let n = own
    for (const c of children) n += size.get(c) as number
    size.set(node, n)
    open.delete(node)
    stack.pop()
  }
  // Numbers, not copies: a bomb's count may reach Infinity, which still compares.
  const expanded = size.get(root) as number
  if (expanded > MAX_YAML_NODES && expanded > distinct) {
    throw new Error(
      `document expands to more than ${MAX_YAML_NODES.toLocaleString('en-US')} nodes through aliases; write it out or make it smaller`,
    )
  }
}

function yamlError(file: string, e: unknown): RuleDiagnostic {
  const mark = (e as { mark?: { line: number; column: number } }).mark
  const reason = (e as { reason?: string }).reason ?? (e as Error).message.split('\n')[0]
  return mark
    ? { severity: 'error', file, line: mark.line + 1, column: mark.column + 1, message: `YAML: ${reason}` }
    : { severity: 'error', file, message: `YAML: ${reason}` }
}

/**
 * Where the top-level `pattern` value starts in a rule file's text (1-based), and whether it is quoted; to place
 * pattern syntax errors. Rule files are flat mappings, so the key sits at the start of its line.
 */
export function patternPosition(text: string): { line: number; column: number; quoted: boolean } | undefined {
  const lines = text.split(/\r?\n/)
  const i = lines.findIndex((l) => /^pattern:/.test(l))
  if (i < 0) return undefined
  const rest = lines[i]!.slice('pattern:'.length)
  const lead = rest.length - rest.trimStart().length
  const value = rest.trimStart()
  if (value === '' || value.startsWith('|') || value.startsWith('>')) return { line: i + 2, column: 3, quoted: false }
  return { line: i + 1, column: 'pattern:'.length + lead + 1, quoted: value.startsWith("'") || value.startsWith('"') }
}
