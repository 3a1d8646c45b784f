import { resolve } from 'node:path'
import { EXIT } from '../exit-codes.js'
import { CliExit } from '../fail.js'

/** Every format a scan can write: `--format` takes the first two, `--output FORMAT=PATH` all of them. */
export const OUTPUT_FORMATS = ['jsonl', 'table', 'ocsf', 'asff', 'csv'] as const
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

/** One place findings go: a format and a file, or `-` for stdout. */
export interface OutputSpec {
  format: OutputFormat
  path: string
  /** The option that named it, as OutputTarget names a file in messages (`--out`, `--output csv`). */
  flag: string
}

interface OutputArgs {
  format?: string
  out?: string
  /** One value, or several when given more than once. */
  output?: string | string[]
  'summary-json'?: string
}

function named(s: OutputSpec): string {
  return s.flag === '--out' ? '--out' : `--output ${s.format}=${s.path}`
}

function isFormat(s: string): s is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(s)
}

/**
 * The outputs a scan writes, checked before anything is read (each problem a usage error, exit 2): every
 * `--output FORMAT=PATH`, plus `--format`/`--out` when either is given or no `--output` is (JSON Lines on
 * stdout, as always). At most one output on stdout, no file named twice, none the --summary-json file.
 */
export function outputSpecs(args: OutputArgs): OutputSpec[] {
  const specs: OutputSpec[] = []
  const values = args.output === undefined ? [] : Array.isArray(args.output) ? args.output : [args.output]
  for (const value of values) {
    const eq = typeof value === 'string' ? value.indexOf('=') : -1
    const format = eq > 0 ? value.slice(0, eq) : ''
    const path = eq > 0 ? value.slice(eq + 1) : ''
    if (!format || path.trim() === '')
      throw new CliExit(
        EXIT.usage,
        `--output ${JSON.stringify(String(value))}: expected FORMAT=PATH, e.g. ocsf=findings.ocsf.jsonl or csv=- for stdout`,
      )
    if (!isFormat(format))
      throw new CliExit(EXIT.usage, `--output ${value}: unknown format ${JSON.stringify(format)} (one of ${OUTPUT_FORMATS.join(', ')})`)
    specs.push({ format, path, flag: `--output ${format}` })
  }
  if (args.format !== undefined || args.out !== undefined || specs.length === 0) {
    const format = args.format ?? 'jsonl'
    if (!isFormat(format)) throw new CliExit(EXIT.usage, `--format ${format}: unknown format`)
    specs.unshift({ format, path: args.out ?? '-', flag: '--out' })
  }
  const onStdout = specs.filter((s) => s.path === '-')
  if (onStdout.length > 1)
    throw new CliExit(EXIT.usage, `only one output can go to stdout, and ${onStdout.map((s) => `${s.format}=-`).join(' and ')} both would`)
  const byFile = new Map<string, OutputSpec>()
  for (const s of specs) {
    if (s.path === '-') continue
    const file = resolve(s.path)
    const before = byFile.get(file)
    if (before) throw new CliExit(EXIT.usage, `${named(before)} and ${named(s)} name the same file`)
    byFile.set(file, s)
  }
  const summary = args['summary-json']
  if (summary !== undefined && summary !== '-') {
    const clash = byFile.get(resolve(summary))
    if (clash) throw new CliExit(EXIT.usage, `${named(clash)} and --summary-json name the same file`)
  }
  return specs
}
