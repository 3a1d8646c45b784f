#!/usr/bin/env node
import yargs, { type CommandModule } from 'yargs'
import { hideBin } from 'yargs/helpers'
import { EXIT } from './exit-codes.js'
import { escapeControls } from './output/terminal-text.js'
import { VERSION } from './version.js'

// `trailscan scan … | head` closes our stdout early: that is the reader being done, not an error to report.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw err
})

// Only yargs loads up front: each command imports the engine (and the S3 client) when it runs,
// so `trailscan --version` and `--help` stay fast.
const commands = await Promise.all([
  import('./commands/scan-command.js'),
  import('./commands/test-metric-filter-command.js'),
  import('./commands/test-event-pattern-command.js'),
  import('./commands/rules-command.js'),
  import('./commands/validate-command.js'),
  import('./commands/plan-command.js'),
  import('./commands/merge-command.js'),
  import('./commands/state-command.js'),
])

const cli = yargs(commands[0].stdinFirst(hideBin(process.argv)))
  .scriptName('trailscan')
  .version(VERSION)
  .strict()
  .demandCommand(1, 'Name a command: scan, plan, merge, state, test-metric-filter, test-event-pattern, rules, validate.')
  .recommendCommands()
  .wrap(Math.min(110, process.stdout.columns || 110))
  .fail((msg, err) => {
    if (err) throw err
    process.stderr.write(`trailscan: ${escapeControls(msg)}\nRun "trailscan --help" for usage.\n`)
    process.exit(EXIT.usage)
  })

for (const c of commands) cli.command(c.command as CommandModule)

await cli.parseAsync()
