import type { CommandModule } from 'yargs'
import { runCommand } from '../fail.js'

export interface MergeArgs {
  dirs: string[]
  plan: string
  format: 'jsonl' | 'table'
  out?: string
  'summary-json'?: string
  'fail-on'?: string
}

/** The last step of a sharded scan: the shards' outputs → what one scan of the whole plan would have written. */
export const command: CommandModule<object, MergeArgs> = {
  command: 'merge <dirs..>',
  describe: 'Merge the --out-dir of every shard of a plan into the outputs one scan would write',
  builder: (y) =>
    y
      .positional('dirs', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'the --out-dir (one or several) the shards of the plan wrote to',
      })
      .option('plan', { type: 'string', demandOption: true, describe: 'the plan the shards ran (from `trailscan plan`)' })
      .option('format', { choices: ['jsonl', 'table'] as const, default: 'jsonl' as const, describe: 'findings format' })
      .option('out', { type: 'string', describe: 'write findings to FILE instead of stdout' })
      .option('summary-json', { type: 'string', describe: 'also write the merged summary as JSON to FILE' })
      .option('fail-on', {
        choices: ['info', 'low', 'medium', 'high', 'critical'],
        describe: 'exit 1 when a finding is at or above SEVERITY',
      }),
  handler: async (args) => {
    const { runMerge } = await import('./merge-run.js')
    await runCommand(() => runMerge(args))
  },
}
