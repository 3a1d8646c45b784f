import type { Argv, CommandModule } from 'yargs'
import { runCommand } from '../fail.js'

interface RulesArgs {
  rules?: string[]
  id?: string
  paths?: string[]
  format?: 'table' | 'json'
}

const rulesOption = {
  type: 'string',
  array: true,
  describe: 'pack id, rule file or directory (repeatable; default: all shipped packs)',
} as const

/** A subcommand whose arguments are read as RulesArgs; yargs' inferred types add nothing here. */
function sub(
  command: string,
  describe: string,
  builder: (y: Argv) => Argv,
  run: (args: RulesArgs) => Promise<number>,
): CommandModule {
  return { command, describe, builder, handler: (args) => runCommand(() => run(args as RulesArgs)) }
}

export const command: CommandModule = {
  command: 'rules <command>',
  describe: 'List, show, test and check detection rules',
  builder: (y) =>
    y
      .command(
        sub(
          'list',
          'Table of packs and rules: id, title, severity, language, references',
          (b) => b.option('rules', rulesOption).option('format', { choices: ['table', 'json'], default: 'table' }),
          async (a) => (await import('./rules-catalogue.js')).listRules(a.rules, a.format ?? 'table'),
        ),
      )
      .command(
        sub(
          'show <id>',
          'One rule in full: pattern, references, guidance, examples',
          (b) => b.positional('id', { type: 'string', demandOption: true }).option('rules', rulesOption),
          async (a) => (await import('./rules-catalogue.js')).showRule(a.id!, a.rules),
        ),
      )
      .demandCommand(1),
  handler: () => undefined,
}
