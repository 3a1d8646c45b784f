import type { CommandModule } from 'yargs'
import { runCommand } from '../fail.js'

export interface ValidateArgs {
  datasets?: string[]
  rules?: string[]
  coverage: boolean
  format: 'table' | 'json'
}

/** Detection engineers' gate: do the rules fire exactly where the labelled datasets say they should? */
export const command: CommandModule<object, ValidateArgs> = {
  command: 'validate [datasets..]',
  describe: 'Run the rules on labelled datasets and compare what fires with what should (default: every dataset under fixtures/)',
  builder: (y) =>
    y
      .positional('datasets', {
        type: 'string',
        array: true,
        describe: 'dataset directories (each with expected-findings.jsonl), or folders of them',
      })
      .option('rules', {
        type: 'string',
        array: true,
        describe: 'pack id, rule file or directory (repeatable; default: all shipped packs)',
      })
      .option('coverage', {
        type: 'boolean',
        default: false,
        describe: 'also list rules that never fired and event pairs no rule looks at',
      })
      .option('format', { choices: ['table', 'json'] as const, default: 'table' as const }),
  handler: async (args) => {
    const { runValidate } = await import('./validate-run.js')
    await runCommand(async () => {
      const { singleValued } = await import('../option-checks.js')
      singleValued(args, ['format', 'coverage'])
      return runValidate(args)
    })
  },
}
