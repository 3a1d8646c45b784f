import { writeSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Logger } from 'pino'
import { LOG_LEVELS, type LogLevel } from './log-levels.js'
import { jsonForTerminal } from './output/terminal-text.js'

type LogFn = (obj: object, msg?: string) => void

/** The calls the CLI makes; a run that logs nothing at its level never loads pino. */
export interface CliLogger {
  debug: LogFn
  warn: LogFn
  error: LogFn
}

/**
 * Logs go to stderr so that stdout carries findings only and `trailscan scan … | jq` always works.
 * Pino and its serializers cost ~25 ms to load, more than a scan of a few files takes, and at the default level
 * a clean scan logs nothing: so the level is checked here and pino is required on the first line written.
 */
export function createLogger(level: LogLevel): CliLogger {
  let pinoLogger: Logger | undefined
  const writer = (method: keyof CliLogger): LogFn => {
    if (LOG_LEVELS.indexOf(method) < LOG_LEVELS.indexOf(level)) return () => {}
    return (obj, msg) => {
      pinoLogger ??= openPino(level)
      pinoLogger[method](obj, msg)
    }
  }
  return { debug: writer('debug'), warn: writer('warn'), error: writer('error') }
}

function openPino(level: LogLevel): Logger {
  const { pino } = createRequire(import.meta.url)('pino') as typeof import('pino')
  // Synchronous, so a line is whole before a signal is handled; JSON escaping as every other output does, and a
  // stderr that is gone does not take the scan down.
  const destination = {
    write(line: string): void {
      try {
        writeSync(2, jsonForTerminal(line))
      } catch {
        // Logs are not findings: the summary and exit code still report what went wrong.
      }
    },
  }
  return pino({ level, base: null }, destination)
}
