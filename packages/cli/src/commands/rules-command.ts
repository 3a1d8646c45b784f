import type { Argv, CommandModule } from 'yargs'
import { runCommand } from '../fail.js'

interface RulesArgs {
  rules?: string[]
  id?: string
  paths?: string[]
  format?: 'table' | 'json'
  'allow-unsupported'?: boolean
}

const rulesOption = {
  type: 'string',
  array: true,
  describe: 'pack id, rule file or directory (repeatable; default: all shipped packs)',
} as const

/** A subcommand whose arguments are read as RulesArgs; yargs' inferred types add nothing here. */
function sub(command: string, describe: string, builder: (y: Argv) => Argv, run: (args: RulesArgs) => Promise<number>): CommandModule {
  return {
    command,
    describe,
    builder,
    handler: (args) =>
      runCommand(async () => {
        const { singleValued } = await import('../option-checks.js')
        singleValued(args, ['format', 'id'])
        return run(args as RulesArgs)
      }),
  }
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
      .command(
        sub(
          'test [paths..]',
          "Run each rule's embedded match and no-match examples; print a pass/fail table",
          (b) =>
            b.positional('paths', {
              type: 'string',
              array: true,
              describe: 'rule files, directories or pack ids (default: shipped packs)',
            }),
          async (a) => (await import('./rules-lint.js')).testRules(a.paths),
        ),
      )
      .command(
        sub(
          'check [paths..]',
          'Lint rule files without running them: schema, pattern syntax (line and column), unknown fields, duplicate ids, missing examples',
          (b) =>
            b
              .positional('paths', {
                type: 'string',
                array: true,
                describe: 'rule files, directories or pack ids (default: shipped packs)',
              })
              .option('allow-unsupported', {
                type: 'boolean',
                default: false,
                describe:
                  'exit 0 when Sigma rules use what Trailscan does not run (correlations, aggregations, unknown modifiers); they are still listed and skipped',
              }),
          async (a) => (await import('./rules-lint.js')).checkRules(a.paths, a['allow-unsupported']),
        ),
      )
      .demandCommand(1),
  handler: () => undefined,
}
