import { resolve } from 'node:path'
import { STDIN_ARG, type ScanArgs } from '../commands/scan-command.js'
import { EXIT } from '../exit-codes.js'
import { CliExit } from '../fail.js'
import { HeldLines } from '../output/held-lines.js'

export type { StateRun } from './state-run.js'

/** --state, --lookback and --append: refused before anything is read when they cannot work together. */
export function checkStateOptions(args: ScanArgs): void {
  if (args.lookback !== undefined && args.state === undefined) throw new CliExit(EXIT.usage, '--lookback needs --state')
  if (args.state !== undefined && args.paths.includes(STDIN_ARG))
    throw new CliExit(EXIT.usage, '`-` (stdin) cannot be scanned with --state: an object on stdin has no key or ETag to remember')
  if (args.append) {
    if (args.out === undefined || args.out === '-') throw new CliExit(EXIT.usage, '--append needs --out FILE')
    if (args.format !== 'jsonl') throw new CliExit(EXIT.usage, '--append writes JSON Lines: it cannot be used with --format table')
  }
}

/** Without --state, an --append file's every id is held: the whole file is read once (output/held-lines.ts). */
export function heldLinesOf(args: ScanArgs): HeldLines | undefined {
  return args.append && args.out !== undefined ? HeldLines.read(resolve(args.out), undefined) : undefined
}
