import type { AlarmPeriod, Finding, RemediationRecord } from '@trailscan/engine'
import type { OutputTarget } from './output-target.js'
import { jsonForTerminal } from './terminal-text.js'

export type OutputFormat = 'jsonl' | 'table'

/**
 * Findings to stdout (or --out FILE) as they arrive: JSON Lines, one object per finding, or a table printed
 * at the end. Alarm periods (with --alarms) follow the findings, marked `"kind":"alarm"`, then remediation
 * records (exposures an earlier run found, closed in this one), marked `"kind":"remediation"`.
 */
export class FindingsWriter {
  private readonly rows: string[][] = []

  constructor(
    private readonly format: OutputFormat,
    readonly target: OutputTarget,
  ) {}

  finding(f: Finding & { suppressed?: { reason: string; expires: string } }): void {
    if (this.format === 'jsonl') this.target.write(`${jsonForTerminal(JSON.stringify(f))}\n`)
    else
      this.rows.push([
        f.eventTime ?? '',
        f.suppressed ? `${f.severity} (suppressed)` : f.severity,
        f.ruleId,
        f.eventName ?? '',
        f.account ?? '',
        f.region ?? '',
        f.actor.arn ?? f.actor.type ?? '',
        f.resource.name ?? '',
      ])
  }

  /** Findings are written out by the object: a stop between objects leaves only whole lines behind. */
  objectDone(): void {
    this.target.flush()
  }

  async close(alarms: readonly AlarmPeriod[], remediations: readonly RemediationRecord[] = []): Promise<void> {
    if (this.format === 'jsonl') {
      for (const a of alarms) this.target.write(`${jsonForTerminal(JSON.stringify(a))}\n`)
      for (const r of remediations) this.target.write(`${jsonForTerminal(JSON.stringify(r))}\n`)
    } else {
      // Loaded here: JSON Lines, the default, never needs it.
      const { renderTable } = await import('./table.js')
      const headers = ['TIME', 'SEVERITY', 'RULE', 'EVENT', 'ACCOUNT', 'REGION', 'ACTOR', 'RESOURCE']
      this.target.write(this.rows.length ? renderTable(headers, this.rows, 34) : 'No findings.\n', Math.max(this.rows.length, 1))
      if (alarms.length > 0) {
        this.target.write('\nAlarms (CloudWatch would have fired):\n', 0)
        this.target.write(
          renderTable(
            ['PERIOD START', 'PERIOD END', 'RULE', 'COUNT'],
            alarms.map((a) => [a.periodStart, a.periodEnd, a.ruleId, String(a.count)]),
          ),
          alarms.length,
        )
      }
      if (remediations.length > 0) {
        this.target.write('\nRemediated (public exposures found by an earlier run, closed since):\n', 0)
        this.target.write(
          renderTable(
            ['CLOSED AT', 'RULE', 'ACCOUNT', 'RESOURCE', 'BY', 'EXPOSED AT', 'FINDING'],
            remediations.map((r) => [
              r.eventTime,
              r.ruleId,
              r.account ?? '',
              r.key !== undefined ? `${r.bucket}/${r.key}` : r.bucket,
              r.actor.arn ?? r.actor.type ?? '',
              r.exposedAt,
              r.findingId,
            ]),
            34,
          ),
          remediations.length,
        )
      }
    }
    this.target.close()
  }
}
