import type { CommandModule } from 'yargs'
import { runCommand } from '../fail.js'

interface Args {
  rules?: string[]
  id?: string
  paths?: string[]
  format: 'table' | 'json'
}

const rulesOption = {
  type: 'string',
  array: true,
  describe: 'pack id, rule file or directory (repeatable; default: all shipped packs)',
} as const

export const command: CommandModule<object, Args> = {
  command: 'rules <command>',
  describe: 'List, show, test and check detection rules',
  builder: (y) =>
    y
      .command<Args>({
        command: 'list',
        describe: 'Table of packs and rules: id, title, severity, language, references',
        builder: (b) => b.option('rules', rulesOption).option('format', { choices: ['table', 'json'] as const, default: 'table' as const }),
        handler: async (args) => {
          const { listRules } = await import('./rules-catalogue.js')
          await runCommand(() => listRules(args.rules, args.format))
        },
      })
      .command<Args>({
        command: 'show <id>',
        describe: 'One rule in full: pattern, references, guidance, examples',
        builder: (b) => b.positional('id', { type: 'string', demandOption: true }).option('rules', rulesOption),
        handler: async (args) => {
          const { showRule } = await import('./rules-catalogue.js')
          await runCommand(() => showRule(args.id!, args.rules))
        },
      })
      .demandCommand(1),
  handler: () => undefined,
}
