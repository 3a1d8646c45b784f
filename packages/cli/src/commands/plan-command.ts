import type { CommandModule } from 'yargs'
import { LOG_LEVELS, type LogLevel } from '../log-levels.js'
import { runCommand } from '../fail.js'
import { listingOptions, type ListingArgs } from './listing-options.js'
import type { ScanArgs } from './scan-command.js'

export type PlanArgs = ListingArgs & Pick<ScanArgs, 'log-level' | 'state' | 'lookback'> & { shards: string; out: string }

/** Many machines: list once, split the objects into shards balanced by bytes, for `scan --plan --shard`. */
export const command: CommandModule<object, PlanArgs> = {
  command: 'plan <paths..>',
  describe: 'List the source once and split its objects into N shards for `scan --plan --shard I`, then `merge`',
  builder: (y) =>
    listingOptions(y)
      .positional('paths', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'files, directories (recursive) or s3://bucket[/prefix], as for scan',
      })
      .option('shards', { type: 'string', demandOption: true, describe: 'how many shards (1 to 10000)' })
      .option('out', { type: 'string', demandOption: true, describe: 'write the plan (JSON) to FILE' })
      .option('state', {
        type: 'string',
        describe: 'plan only what the scheduled-scan state in LOCATION (a directory or s3://bucket/prefix) has not processed',
        group: 'Scheduled scans:',
      })
      .option('lookback', {
        type: 'string',
        describe: 'with --state: days whose prefixes are listed again for late objects, e.g. 2d or 31d (default 2d)',
        group: 'Scheduled scans:',
      })
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- it is needed: yargs infers the option's type from the default
      .option('log-level', { choices: LOG_LEVELS, default: 'info' as LogLevel, describe: 'log level (logs go to stderr)' }),
  handler: async (args) => {
    const { runPlan } = await import('./plan-run.js')
    await runCommand(() => runPlan(args))
  },
}
