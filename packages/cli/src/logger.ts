import { pino, type Logger } from 'pino'

import type { LogLevel } from './log-levels.js'

/** Logs go to stderr so that stdout carries findings only and `trailscan scan … | jq` always works. */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: null }, pino.destination({ fd: 2, sync: true }))
}
