import type { CommandModule } from 'yargs'
import { runCommand } from '../fail.js'
import { LOG_LEVELS, type LogLevel } from '../log-levels.js'
import { appendOption, deliveryOptions } from './delivery-options.js'
import type { ScanArgs } from './scan-command.js'

const DEFAULT_LOG_LEVEL: LogLevel = 'info'

export type MergeArgs = Pick<
  ScanArgs,
  | 'out'
  | 'output'
  | 'summary-json'
  | 'fail-on'
  | 'state'
  | 'append'
  | 'to'
  | 'to-min-severity'
  | 'profile'
  | 's3-region'
  | 'endpoint-url'
  | 'log-level'
> & {
  dirs: string[]
  plan: string
  format: 'jsonl' | 'table'
}

/** The last step of a sharded scan: the shards' outputs → what one scan of the whole plan would have written. */
export const command: CommandModule<object, MergeArgs> = {
  command: 'merge <dirs..>',
  describe: 'Merge the --out-dir of every shard of a plan into the outputs one scan would write',
  builder: (y) =>
    appendOption(deliveryOptions(y))
      .positional('dirs', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'the --out-dir (one or several) the shards of the plan wrote to',
      })
      .option('plan', { type: 'string', demandOption: true, describe: 'the plan the shards ran (from `trailscan plan`)' })
      .option('format', { choices: ['jsonl', 'table'] as const, default: 'jsonl' as const, describe: 'findings format' })
      .option('out', { type: 'string', describe: 'write findings to FILE instead of stdout' })
      .option('output', {
        type: 'string',
        describe: 'also write findings as FORMAT to PATH (- for stdout; repeatable): jsonl, table, ocsf, asff or csv',
      })
      .option('summary-json', { type: 'string', describe: 'also write the merged summary as JSON to FILE' })
      .option('log-level', { choices: LOG_LEVELS, default: DEFAULT_LOG_LEVEL, describe: 'log level (logs go to stderr)' })
      .option('fail-on', {
        choices: ['info', 'low', 'medium', 'high', 'critical'],
        describe: 'exit 1 when a finding is at or above SEVERITY',
      })
      .option('state', {
        type: 'string',
        describe: "the plan's --state (it is taken from the plan; given here, it must name the same): commits the merged run to it",
        group: 'Scheduled scans:',
      })
      .option('profile', { type: 'string', describe: 'AWS profile for an S3 state and for delivery', group: 'S3:' })
      .option('s3-region', { type: 'string', describe: 'region of the S3 client for an S3 state', group: 'S3:' })
      .option('endpoint-url', { type: 'string', describe: 'S3-compatible endpoint for an S3 state (path-style addressing)', group: 'S3:' }),
  handler: async (args) => {
    const { runMerge } = await import('./merge-run.js')
    await runCommand(() => runMerge(args))
  },
}
