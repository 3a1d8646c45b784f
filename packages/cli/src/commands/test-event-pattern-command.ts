import type { CommandModule } from 'yargs'
import { runCommand } from '../fail.js'

interface Args {
  'event-pattern': string
  event: string
}

/** Offline twin of `aws events test-event-pattern`: prints {"Result": true|false}. */
export const command: CommandModule<object, Args> = {
  command: 'test-event-pattern',
  describe: 'Test an EventBridge event pattern on an event, as `aws events test-event-pattern` does',
  builder: (y) =>
    y
      .option('event-pattern', { type: 'string', demandOption: true, describe: 'the pattern (JSON), or file://PATH' })
      .option('event', { type: 'string', demandOption: true, describe: 'the event (JSON), or file://PATH' }),
  handler: async (args) => {
    const { readArgument } = await import('../cli-args.js')
    const { testEventPattern } = await import('@trailscan/engine')
    await runCommand(async () => {
      const { singleValued } = await import('../option-checks.js')
      singleValued(args, ['event-pattern', 'event'])
      const pattern = await readArgument(args['event-pattern'])
      const event = await readArgument(args.event)
      const result = testEventPattern(pattern, event)
      process.stdout.write(`${JSON.stringify({ Result: result }, null, 4)}\n`)
      return 0
    })
  },
}
