import { dump } from 'js-yaml'
import { EXIT } from '../exit-codes.js'
import { CliExit } from '../fail.js'
import { compiledRulesOrExit } from '../load-rules.js'
import { renderTable } from '../output/table.js'
import type { RuleSpec } from '@trailscan/engine'
import { naturalCompare } from '../output/natural-order.js'
import { escapeControls } from '../output/terminal-text.js'

function referenceText(spec: RuleSpec): string {
  const r = spec.references ?? {}
  const parts: string[] = []
  if (r.cis)
    parts.push(
      Object.entries(r.cis)
        .map(([v, id]) => `CIS ${v} ${id}`)
        .join(', '),
    )
  if (r.mitreAttack?.length) parts.push(`ATT&CK ${r.mitreAttack.join(', ')}`)
  if (r.nist80053?.length) parts.push(`NIST ${r.nist80053.join(', ')}`)
  return parts.join('; ')
}

export async function listRules(sources: string[] | undefined, format: 'table' | 'json'): Promise<number> {
  const { load, rules } = await compiledRulesOrExit(sources)
  const specs = rules.map((r) => r.spec).sort((a, b) => naturalCompare(a.pack ?? '', b.pack ?? '') || naturalCompare(a.id, b.id))
  if (format === 'json') {
    process.stdout.write(
      `${JSON.stringify({ packs: load.packs.map(({ dir: _d, ...p }) => p), rules: specs.map(({ examples: _e, file: _f, ...s }) => s) }, null, 2)}\n`,
    )
    return 0
  }
  const titles = new Map(load.packs.map((p) => [p.id, p.title ?? '']))
  const byPack = new Map<string, RuleSpec[]>()
  for (const s of specs) {
    const k = s.pack ?? ''
    byPack.set(k, [...(byPack.get(k) ?? []), s])
  }
  for (const [pack, list] of byPack) {
    process.stdout.write(
      `\n${escapeControls(`${pack}${titles.get(pack) ? ` — ${titles.get(pack)}` : ''}`)} (${list.length} ${list.length === 1 ? 'rule' : 'rules'})\n`,
    )
    process.stdout.write(
      renderTable(
        ['ID', 'TITLE', 'SEVERITY', 'LANGUAGE', 'REFERENCES'],
        list.map((s) => [s.id, s.title, s.severity, s.language, referenceText(s)]),
        60,
      ),
    )
  }
  return 0
}

export async function showRule(id: string, sources: string[] | undefined): Promise<number> {
  const { rules } = await compiledRulesOrExit(sources)
  const rule = rules.find((r) => r.id === id)
  if (!rule) throw new CliExit(EXIT.usage, `no rule with id "${id}" (see "trailscan rules list")`)
  const { file, ...spec } = rule.spec
  process.stdout.write(`# ${escapeControls(`${spec.id}: ${spec.title}`)}\n# file: ${escapeControls(file ?? 'n/a')}\n`)
  // js-yaml escapes most controls itself but prints NEL and bidi controls raw; its own newlines are structure.
  process.stdout.write(dump(spec, { lineWidth: -1, noRefs: true }).split('\n').map(escapeControls).join('\n'))
  return 0
}
