import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { coverage, FINDINGS_FILE, validateDataset, type DatasetReport } from '@trailscan/engine'
import { loadAccountContext } from '../account-context.js'
import { EXIT } from '../exit-codes.js'
import { CliExit } from '../fail.js'
import { compiledRulesOrExit } from '../load-rules.js'
import { renderTable } from '../output/table.js'
import { escapeControls } from '../output/terminal-text.js'
import type { ValidateArgs } from './validate-command.js'

/** A dataset is a directory holding expected-findings.jsonl; a folder of datasets is searched one level down. */
function findDatasets(paths: readonly string[]): string[] {
  const out: string[] = []
  for (const p of paths) {
    if (!existsSync(p) || !statSync(p).isDirectory()) throw new CliExit(EXIT.usage, `not a dataset directory: ${p}`)
    if (existsSync(join(p, FINDINGS_FILE))) {
      out.push(p)
      continue
    }
    const inner = readdirSync(p, { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(join(p, e.name, FINDINGS_FILE)))
      .map((e) => join(p, e.name))
      .sort()
    if (inner.length === 0) throw new CliExit(EXIT.usage, `${p} holds no ${FINDINGS_FILE}, nor do its subdirectories`)
    out.push(...inner)
  }
  return out
}

interface Run {
  name: string
  report: DatasetReport
}

export async function runValidate(args: ValidateArgs): Promise<number> {
  const dirs = findDatasets(args.datasets?.length ? args.datasets : ['fixtures'])
  const { rules } = await compiledRulesOrExit(args.rules)
  const runs: Run[] = []
  for (const dir of dirs) {
    const name = relative(process.cwd(), dir) || dir
    runs.push({ name, report: await validateDataset({ dir, rules }) })
    // Convention: accounts.yaml + expected-findings-context.jsonl validate the same logs with --context.
    const ctxFile = join(dir, 'accounts.yaml')
    const ctxExpect = join(dir, 'expected-findings-context.jsonl')
    if (existsSync(ctxFile) && existsSync(ctxExpect)) {
      const context = await loadAccountContext(ctxFile)
      runs.push({
        name: `${name} (--context accounts.yaml)`,
        report: await validateDataset({ dir, rules, context, expectations: ctxExpect }),
      })
    }
  }
  const clean = runs.every((r) => r.report.clean)
  const fired = new Set(runs.flatMap((r) => r.report.findings.map((f) => f.ruleId)))
  const cov = args.coverage ? await coverage(dirs, rules, fired) : undefined
  if (args.format === 'json') {
    const out = {
      clean,
      datasets: runs.map(({ name, report }) => ({
        dataset: name,
        clean: report.clean,
        rules: report.comparison.rules,
        errors: report.errors,
        ...(cov && report.techniques ? { techniques: report.techniques } : {}),
      })),
      ...(cov ? { coverage: cov } : {}),
    }
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
  } else {
    for (const { name, report } of runs) {
      process.stdout.write(datasetText(name, report))
      if (cov && report.techniques) process.stdout.write(techniquesText(report.techniques))
    }
    if (cov) process.stdout.write(coverageText(cov))
    process.stdout.write(
      `\n${clean ? 'All datasets validate clean.' : 'Mismatches found.'} (${runs.length} runs, ${dirs.length} datasets)\n`,
    )
  }
  return clean ? EXIT.ok : EXIT.findings
}

function datasetText(name: string, r: DatasetReport): string {
  const rows = r.comparison.rules.map((s) => [
    s.ruleId,
    String(s.truePositives),
    String(s.falsePositives.length),
    String(s.falseNegatives.length),
    [
      ...s.falseNegatives.map((id) => `missed ${id}`),
      ...s.falsePositives.map((id) => `unexpected ${id}`),
      ...s.wrongSeverity.map((x) => `severity ${x}`),
    ].join(', '),
  ])
  let text = `\n${r.clean ? 'PASS' : 'FAIL'}  ${escapeControls(name)}\n`
  text += rows.length ? renderTable(['RULE', 'TP', 'FP', 'FN', 'MISMATCHES'], rows, 90) : '  (no findings expected or produced)\n'
  for (const e of r.errors.missing)
    text += `  expected read error not met: ${escapeControls(e.object ?? '')}${e.recordIndex === undefined ? '' : ` record ${e.recordIndex}`}\n`
  for (const e of r.errors.unexpected)
    text += `  unexpected read error: ${escapeControls(e.object ?? '')}${e.recordIndex === undefined ? '' : ` record ${e.recordIndex}`}\n`
  return text
}

/** Per technique, the rules that fired on its records: the attack-technique view of `--coverage`. */
function techniquesText(techniques: NonNullable<DatasetReport['techniques']>): string {
  const covered = techniques.filter((t) => t.rules.length > 0).length
  let text = `\n  Techniques covered: ${covered} of ${techniques.length}\n`
  text += renderTable(
    ['TECHNIQUE', 'RULES THAT FIRED'],
    techniques.map((t) => [t.technique, t.rules.length > 0 ? t.rules.join(', ') : 'NOT COVERED']),
    120,
  )
  return text
}

function coverageText(c: { neverFired: string[]; unwatched: { eventSource: string; eventName: string; count: number }[] }): string {
  let text = `\nRules that never fired (${c.neverFired.length}):\n`
  text += c.neverFired.length ? c.neverFired.map((id) => `  ${escapeControls(id)}\n`).join('') : '  (none)\n'
  text += `\nEvent pairs no rule looks at (${c.unwatched.length}):\n`
  text += c.unwatched.length
    ? renderTable(
        ['EVENT SOURCE', 'EVENT NAME', 'RECORDS'],
        c.unwatched.map((p) => [p.eventSource, p.eventName, String(p.count)]),
      )
    : '  (none)\n'
  return text
}
