import type { CommandModule } from 'yargs'
import { LOG_LEVELS, type LogLevel } from '../log-levels.js'
import { runCommand } from '../fail.js'
import { appendOption, deliveryOptions } from './delivery-options.js'
import { listingOptions } from './listing-options.js'

export interface ScanArgs {
  paths: string[]
  rules?: string[]
  format?: 'jsonl' | 'table'
  out?: string
  output?: string | string[]
  'summary-json'?: string
  'log-level': LogLevel
  start?: string
  end?: string
  account?: string[]
  region?: string[]
  'fail-on'?: string
  alarms: boolean
  'max-object-bytes'?: number
  concurrency?: number
  workers?: number
  profile?: string
  's3-region'?: string
  'endpoint-url'?: string
  'request-payer': boolean
  'include-digest': boolean
  'include-insight': boolean
  's3-idle-timeout'?: string
  's3-object-timeout'?: string
  's3-max-list-pages'?: string
  's3-max-list-keys'?: string
  's3-retry-budget'?: string
  progress?: boolean
  context?: string
  suppressions?: string
  'show-suppressed': boolean
  wildcard: 'aws-2019' | 'glob'
  'allow-empty': boolean
  plan?: string
  shard?: string
  'out-dir'?: string
  /** One string, or an array when given more than once (yargs): delivery.ts reads them in command-line order. */
  to?: string | string[]
  'to-min-severity'?: string | string[]
  state?: string
  lookback?: string
  append: boolean
}

/**
 * `-` (one object on stdin) as it travels through yargs, which drops a bare `-` from a variadic positional.
 * No real path holds a NUL.
 */
export const STDIN_ARG = '\0stdin'

// The scan options that take no value: a `-` right after one of them is a path, after any other option a value.
const FLAGS = new Set([
  'alarms',
  'show-suppressed',
  'request-payer',
  'include-digest',
  'include-insight',
  'progress',
  'allow-empty',
  'append',
  'help',
  'version',
  'h',
])

/**
 * `scan … - …` → `scan STDIN_ARG …`: each `-` given as a path moves to the front as STDIN_ARG, so that no array
 * option before it (`--rules a -`) can take it. Stdin is therefore read before the other paths. A `-` after an
 * option that takes a value is that option's value (`--out -`: stdout).
 */
export function stdinFirst(argv: readonly string[]): string[] {
  const cmd = argv.findIndex((a) => !a.startsWith('-'))
  if (cmd < 0 || argv[cmd] !== 'scan') return [...argv]
  const out = argv.slice(0, cmd + 1)
  const stdin: string[] = []
  for (let i = cmd + 1; i < argv.length; i++) {
    const a = argv[i]!
    const prev = argv[i - 1]!
    const afterValueOption =
      i > cmd + 1 &&
      prev.startsWith('-') &&
      prev !== '-' &&
      !prev.includes('=') &&
      !FLAGS.has(prev.replace(/^--?/, '')) &&
      !prev.startsWith('--no-')
    if (a === '-' && !afterValueOption) stdin.push(STDIN_ARG)
    // yargs reads a separate `-` value as '': joined, `--out -` keeps its meaning (stdout).
    else if (a === '-' && prev.startsWith('--')) out[out.length - 1] = `${prev}=-`
    else out.push(a)
  }
  out.splice(cmd + 1, 0, ...stdin)
  return out
}

export const command: CommandModule<object, ScanArgs> = {
  command: 'scan [paths..]',
  describe: 'Scan CloudTrail logs (files, directories or s3://bucket/prefix) and print findings',
  builder: (y) =>
    appendOption(deliveryOptions(listingOptions(y)))
      .positional('paths', {
        type: 'string',
        array: true,
        default: [],
        describe: 'files, directories (recursive), s3://bucket[/prefix], or - for one object on stdin (gzipped or not)',
      })
      .option('rules', {
        type: 'string',
        array: true,
        describe: 'pack id, rule file or directory (repeatable; default: all shipped packs)',
      })
      .option('format', { choices: ['jsonl', 'table'] as const, describe: 'findings format on stdout (default jsonl)' })
      .option('out', { type: 'string', describe: 'write findings to FILE instead of stdout' })
      // Not `array: true`: that would take the paths after it as more outputs. Given twice, yargs makes an array.
      .option('output', {
        type: 'string',
        describe: 'also write findings as FORMAT to PATH (- for stdout; repeatable): jsonl, table, ocsf, asff or csv',
      })
      .option('summary-json', { type: 'string', describe: 'also write the run summary as JSON to FILE' })
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- it is needed: yargs infers the option's type from the default
      .option('log-level', { choices: LOG_LEVELS, default: 'info' as LogLevel, describe: 'log level (logs go to stderr)' })
      .option('fail-on', {
        choices: ['info', 'low', 'medium', 'high', 'critical'],
        describe: 'exit 1 when a finding is at or above SEVERITY',
      })
      .option('context', { type: 'string', describe: 'YAML mapping account ids to name, environment and owner' })
      .option('suppressions', {
        type: 'string',
        describe: 'YAML file of known benign callers to suppress (each with a reason and an expiry)',
      })
      .option('allow-empty', {
        type: 'boolean',
        default: false,
        describe: 'exit 0 even when no CloudTrail object was read (default: exit 2, since a wrong path or prefix looks like a quiet night)',
      })
      .option('show-suppressed', { type: 'boolean', default: false, describe: 'also write suppressed findings, marked "suppressed"' })
      .option('wildcard', {
        choices: ['aws-2019', 'glob'] as const,
        default: 'aws-2019' as const,
        describe: 'how * inside a CWL value matches: as AWS answered (aws-2019) or as a glob',
      })
      .option('alarms', { type: 'boolean', default: false, describe: "replay each rule's CloudWatch alarm over event time" })
      .option('max-object-bytes', { type: 'number', describe: 'cap on decompressed bytes per object (default 2 GiB)' })
      .option('concurrency', { type: 'number', describe: 'objects read at once, over all workers (default 8 local, 16 S3)' })
      .option('workers', {
        type: 'number',
        describe: 'worker threads that read and match objects (default: the cores available; 1: all on the main thread)',
      })
      .option('plan', {
        type: 'string',
        describe: 'scan one shard of the plan FILE (from `trailscan plan`) instead of PATHS',
        group: 'Shards:',
      })
      .option('shard', {
        type: 'string',
        describe: 'which shard of --plan (default: $JOB_COMPLETION_INDEX, then $AWS_BATCH_JOB_ARRAY_INDEX)',
        group: 'Shards:',
      })
      .option('out-dir', {
        type: 'string',
        describe: "with --plan: the directory for this shard's outputs, read by `trailscan merge`",
        group: 'Shards:',
      })
      .option('state', {
        type: 'string',
        describe: 'remember what was scanned in LOCATION (a directory or s3://bucket/prefix): each run scans only what is new',
        group: 'Scheduled scans:',
      })
      .option('lookback', {
        type: 'string',
        describe: 'with --state: days whose prefixes are listed again for late objects, e.g. 2d or 31d (default 2d)',
        group: 'Scheduled scans:',
      })
      .option('progress', { type: 'boolean', describe: 'show progress on stderr (default: on when stderr is a terminal and not in CI)' }),
  handler: async (args) => {
    const { runScan } = await import('./scan-run.js')
    await runCommand(() => runScan(args))
  },
}
