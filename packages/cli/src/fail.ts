import { TrailscanError } from '@trailscan/engine'
import { EXIT } from './exit-codes.js'

/** A failure the user can act on: printed as one clear line, then the process exits with `code`. */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message)
  }
}

export function describeError(e: unknown): string {
  if (e instanceof TrailscanError) {
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
      if (e.message) process.stderr.write(`trailscan: ${e.message}\n`)
      code = e.code
    } else if (e instanceof TrailscanError) {
      process.stderr.write(`trailscan: ${describeError(e)}\n`)
      code = EXIT.usage
    } else throw e
  }
  process.exitCode = code
}
