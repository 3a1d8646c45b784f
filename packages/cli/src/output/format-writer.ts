import type { AlarmPeriod, Finding, RemediationRecord } from '@trailscan/engine'
import { VERSION } from '../version.js'
import type { OutputTarget } from './output-target.js'
import { escapeControls, jsonForTerminal } from './terminal-text.js'

type Shown = Finding & { suppressed?: { reason: string; expires: string } }

/**
 * Findings in another tool's format (`ocsf`, `asff`, `csv`), one line per finding, written as they arrive. The
 * engine maps (`@trailscan/engine/formats`); this only writes, with the same terminal safety as JSON Lines and
 * the table: JSON through jsonForTerminal, CSV cells through escapeControls. Alarm periods and remediation records
 * are not findings and are left to JSON Lines and the table (and the --summary-json document).
 */
export class FormatWriter {
  /** Findings the format cannot express (an ASFF finding needs an account and a region), with the first reason. */
  unmappable = 0
  firstUnmappable: string | undefined

  private constructor(
    private readonly line: (f: Shown) => string,
    readonly target: OutputTarget,
  ) {}

  /** Loads the engine's mappings only when a format asks for them; a CSV starts with its header row. */
  static async open(format: 'ocsf' | 'asff' | 'csv', target: OutputTarget): Promise<FormatWriter> {
    const m = await import('@trailscan/engine/formats')
    switch (format) {
      case 'ocsf':
        return new FormatWriter((f) => `${jsonForTerminal(JSON.stringify(m.toOcsf(f, { productVersion: VERSION })))}\n`, target)
      case 'asff':
        return new FormatWriter((f) => `${jsonForTerminal(JSON.stringify(m.toAsff(f)))}\n`, target)
      case 'csv': {
        target.write(m.csvHeader(), 0)
        return new FormatWriter((f) => m.toCsvRow(f, { cell: escapeControls }), target)
      }
    }
  }

  finding(f: Shown): void {
    let text: string
    try {
      text = this.line(f)
    } catch (e) {
      // A finding the format cannot hold is counted and reported in the summary, never dropped without a word.
      this.unmappable++
      this.firstUnmappable ??= (e as Error).message
      return
    }
    this.target.write(text)
  }

  objectDone(): void {
    this.target.flush()
  }

  close(_alarms: readonly AlarmPeriod[], _remediations: readonly RemediationRecord[]): Promise<void> {
    this.target.close()
    return Promise.resolve()
  }

  /** The summary's line about findings this output could not hold; undefined when there were none. */
  unmappableMessage(): string | undefined {
    if (this.unmappable === 0) return undefined
    const n = this.unmappable
    return `${n} ${n === 1 ? 'finding' : 'findings'} could not be written to ${this.target.name}: ${this.firstUnmappable ?? ''}`
  }
}
