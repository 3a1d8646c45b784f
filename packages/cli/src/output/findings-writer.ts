import { createWriteStream, type WriteStream } from 'node:fs'
import type { AlarmPeriod, Finding } from '@trailscan/engine'

export type OutputFormat = 'jsonl' | 'table'

/**
 * Findings to stdout (or --out FILE) as they arrive: JSON Lines, one object per finding, or a table printed
 * at the end. Alarm periods (with --alarms) follow the findings, marked `"kind":"alarm"`.
 */
export class FindingsWriter {
  private readonly out: NodeJS.WritableStream | WriteStream
  private readonly rows: string[][] = []

  constructor(
    private readonly format: OutputFormat,
    outFile?: string,
  ) {
    this.out = outFile ? createWriteStream(outFile) : process.stdout
  }

  finding(f: Finding & { suppressed?: { reason: string; expires: string } }): void {
    if (this.format === 'jsonl') this.out.write(`${JSON.stringify(f)}\n`)
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

  async close(alarms: readonly AlarmPeriod[]): Promise<void> {
    if (this.format === 'jsonl') {
      for (const a of alarms) this.out.write(`${JSON.stringify(a)}\n`)
    } else {
      // Loaded here: JSON Lines, the default, never needs it.
      const { renderTable } = await import('./table.js')
      const headers = ['TIME', 'SEVERITY', 'RULE', 'EVENT', 'ACCOUNT', 'REGION', 'ACTOR', 'RESOURCE']
      this.out.write(this.rows.length ? renderTable(headers, this.rows, 34) : 'No findings.\n')
      if (alarms.length > 0) {
        this.out.write('\nAlarms (CloudWatch would have fired):\n')
        this.out.write(
          renderTable(
            ['PERIOD START', 'PERIOD END', 'RULE', 'COUNT'],
            alarms.map((a) => [a.periodStart, a.periodEnd, a.ruleId, String(a.count)]),
          ),
        )
      }
    }
    if (this.out !== process.stdout) await new Promise<void>((r) => (this.out as WriteStream).end(r))
  }
}
