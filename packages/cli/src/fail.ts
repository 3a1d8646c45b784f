import type { TrailscanError } from '@trailscan/engine'
import { EXIT } from './exit-codes.js'
import { escapeControls } from './output/terminal-text.js'

/** A failure the user can act on: printed as one clear line, then the process exits with `code`. */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** Further lines (one per item), each printed on its own line. */
    readonly details: readonly string[] = [],
  ) {
    super(message)
  }
}

/** Engine errors carry a TRAILSCAN_* code; checked by shape so that this module never loads the engine. */
export function isTrailscanError(e: unknown): e is TrailscanError {
  const code = e instanceof Error ? (e as { code?: unknown }).code : undefined
  return typeof code === 'string' && code.startsWith('TRAILSCAN_')
}

export function describeError(e: unknown): string {
  if (isTrailscanError(e)) {
    const l = e.location
    const where = [
      l?.file,
      l?.line !== undefined ? `line ${l.line}${l.column !== undefined ? `, column ${l.column}` : ''}` : undefined,
      l?.object,
      l?.recordIndex !== undefined ? `record ${l.recordIndex}` : undefined,
      l?.offset !== undefined && l.line === undefined ? `offset ${l.offset}` : undefined,
    ].filter(Boolean)
    return where.length ? `${where.join(', ')}: ${e.message}` : e.message
  }
  return e instanceof Error ? e.message : String(e)
}

/** Runs a command body and turns CliExit and engine errors into an exit code and one line on stderr. */
export async function runCommand(body: () => Promise<number>): Promise<void> {
  let code: number
  try {
    code = await body()
  } catch (e) {
    if (e instanceof CliExit) {
      // Messages quote paths, rule ids and values as given: a newline or ESC among them stays visible text.
      if (e.message)
        process.stderr.write(`trailscan: ${escapeControls(e.message)}\n${e.details.map((d) => `  ${escapeControls(d)}\n`).join('')}`)
      code = e.code
    } else if (isTrailscanError(e)) {
      process.stderr.write(`trailscan: ${escapeControls(describeError(e))}\n`)
      code = EXIT.usage
    } else throw e
  }
  process.exitCode = code
}
