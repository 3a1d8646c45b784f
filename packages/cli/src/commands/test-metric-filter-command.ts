import type { CommandModule } from 'yargs'
import { runCommand } from '../fail.js'

interface Args {
  'filter-pattern': string
  'log-event-messages': string[]
  wildcard: 'aws-2019' | 'glob'
}

/** Offline twin of `aws logs test-metric-filter`: same arguments, same JSON result. */
export const command: CommandModule<object, Args> = {
  command: 'test-metric-filter',
  describe: 'Test a CloudWatch Logs filter pattern on messages, as `aws logs test-metric-filter` does',
  builder: (y) =>
    y
      .option('filter-pattern', { type: 'string', demandOption: true, describe: 'the pattern, or file://PATH' })
      .option('log-event-messages', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'messages to test; file://PATH reads one message per line',
      })
      .option('wildcard', {
        choices: ['aws-2019', 'glob'] as const,
        default: 'aws-2019' as const,
        describe: 'how * inside a CWL value matches: as AWS answered (aws-2019) or as a glob',
      }),
  handler: async (args) => {
    const { readArgument, readMessages } = await import('../cli-args.js')
    const { testMetricFilter } = await import('@trailscan/engine')
    await runCommand(async () => {
      const { singleValued } = await import('../option-checks.js')
      singleValued(args, ['filter-pattern'])
      const pattern = await readArgument(args['filter-pattern'])
      const messages = await readMessages(args['log-event-messages'])
      const result = testMetricFilter(pattern, messages, { wildcard: args.wildcard })
      process.stdout.write(`${JSON.stringify(result, null, 4)}\n`)
      return 0
    })
  },
}
