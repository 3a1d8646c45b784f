import type { CommandModule } from 'yargs'
import { runCommand } from '../fail.js'

export interface StateArgs {
  action: 'show' | 'reset'
  location: string
  yes: boolean
  profile?: string
  's3-region'?: string
  'endpoint-url'?: string
}

/** What `scan --state` remembers: shown, or deleted. */
export const command: CommandModule<object, StateArgs> = {
  command: 'state <action> <location>',
  describe: 'Show (days, keys, last run, lease) or reset the state a scheduled scan keeps with --state',
  builder: (y) =>
    y
      .positional('action', { choices: ['show', 'reset'] as const, demandOption: true, describe: 'show or reset' })
      .positional('location', { type: 'string', demandOption: true, describe: 'the --state LOCATION: a directory or s3://bucket/prefix' })
      .option('yes', { type: 'boolean', default: false, describe: 'reset without asking (for scripts)' })
      .option('profile', { type: 'string', describe: 'AWS profile for S3 state', group: 'S3:' })
      .option('s3-region', { type: 'string', describe: 'region of the S3 client', group: 'S3:' })
      .option('endpoint-url', { type: 'string', describe: 'S3-compatible endpoint (path-style addressing)', group: 'S3:' }),
  handler: async (args) => {
    const { runState } = await import('./state-run.js')
    await runCommand(async () => {
      const { singleValued } = await import('../option-checks.js')
      singleValued(args, ['yes', 'profile', 's3-region', 'endpoint-url'])
      return runState(args)
    })
  },
}
