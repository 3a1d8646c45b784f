import type { AlarmPeriod, Finding, RemediationRecord } from '@trailscan/engine'
import { FindingsWriter } from './findings-writer.js'
import { FormatWriter } from './format-writer.js'
import type { OutputSpec } from './output-specs.js'
import { OutputTarget } from './output-target.js'

type Shown = Finding & { suppressed?: { reason: string; expires: string } }

interface Writer {
  readonly target: OutputTarget
  finding(f: Shown): void
  objectDone(): void
  close(alarms: readonly AlarmPeriod[], remediations: readonly RemediationRecord[]): Promise<void>
}

/**
 * Every output of a scan (`--format`/`--out` and each `--output FORMAT=PATH`), each its own OutputTarget: every
 * file goes through the one writer path (whole lines, a failed write recorded). A failed write stops the scan;
 * a reader leaving (EPIPE on stdout) stops it only when no other output is still being written.
 */
export class FindingOutputs {
  /** Called once when the scan should stop, with why. */
  onStop: ((why: string) => void) | undefined

  private constructor(private readonly writers: readonly Writer[]) {
    for (const w of writers) w.target.onStop = () => this.targetStopped(w.target)
  }

  /**
   * Opens every output before the scan: a file that cannot be written is a usage error, as --out always was.
   * `durable` (with --state) syncs every file before the state commits; `append` and `held` (--append) are the
   * --out file's: it keeps what it holds, and lines a run that did not commit already wrote are not written again.
   */
  static async open(
    specs: readonly OutputSpec[],
    opts: { append?: boolean; durable?: boolean; held?: OutputTarget['held'] } = {},
  ): Promise<FindingOutputs> {
    const writers: Writer[] = []
    for (const s of specs) {
      const primary = s.flag === '--out'
      const target =
        s.path === '-'
          ? OutputTarget.stdout()
          : OutputTarget.file(s.path, s.flag, { append: primary && !!opts.append, durable: !!opts.durable })
      if (primary) target.held = opts.held
      writers.push(
        s.format === 'jsonl' || s.format === 'table' ? new FindingsWriter(s.format, target) : await FormatWriter.open(s.format, target),
      )
    }
    return new FindingOutputs(writers)
  }

  /** Every output took every line: what lets a --state run commit. */
  get ok(): boolean {
    return this.writers.every((w) => w.target.ok)
  }

  private targetStopped(target: OutputTarget): void {
    if (target.failure) this.onStop?.('a failed write')
    else if (this.writers.every((w) => !w.target.ok)) this.onStop?.('the reader closing stdout')
  }

  finding(f: Shown): void {
    for (const w of this.writers) w.finding(f)
  }

  objectDone(): void {
    for (const w of this.writers) w.objectDone()
  }

  async close(alarms: readonly AlarmPeriod[], remediations: readonly RemediationRecord[] = []): Promise<void> {
    for (const w of this.writers) await w.close(alarms, remediations)
  }

  /** One summary error per output that lost findings: a failed write, or findings its format cannot hold. */
  failureMessages(): string[] {
    const out: string[] = []
    for (const w of this.writers) {
      const failed = w.target.failureMessage()
      if (failed) out.push(failed)
      const unmappable = w instanceof FormatWriter ? w.unmappableMessage() : undefined
      if (unmappable) out.push(unmappable)
    }
    return out
  }
}
