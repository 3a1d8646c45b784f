import { constants } from 'node:os'

export type StopSignal = 'SIGINT' | 'SIGTERM'

/** 128 + the signal's number, as a shell reports a process the signal ended: 130 for SIGINT, 143 for SIGTERM. */
export function signalExitCode(signal: StopSignal): number {
  return 128 + constants.signals[signal]
}

/**
 * SIGINT and SIGTERM ask a scan to stop: `stop` runs once, and the scan ends as soon as it can with whole lines
 * and a summary. A second signal is the user insisting: the process exits at once. Returns the listeners'
 * removal.
 */
export function onStopSignals(stop: (signal: StopSignal) => void): () => void {
  let received: StopSignal | undefined
  const handler = (signal: StopSignal): void => {
    if (received) process.exit(signalExitCode(signal))
    received = signal
    stop(signal)
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return () => {
    process.off('SIGINT', handler)
    process.off('SIGTERM', handler)
  }
}
