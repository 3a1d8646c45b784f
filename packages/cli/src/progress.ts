import { escapeControls } from './output/terminal-text.js'
import type { ProgressSink } from './sources.js'

/**
 * One status line on a terminal: objects, bytes, records, findings, rate and an ETA from the bytes listed so far.
 * Redrawn at most a few times a second; never shown without a TTY or in CI, where it would only be noise.
 */
export function progressWanted(flag: boolean | undefined): boolean {
  if (flag !== undefined) return flag
  return Boolean(process.stderr.isTTY) && !process.env.CI
}

function bytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let i = 0
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000
    i++
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?'
  const m = Math.floor(s / 60)
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`
}

export class Progress implements ProgressSink {
  private listedObjects = 0
  private listedBytes = 0
  private doneObjects = 0
  private doneBytes = 0
  private records = 0
  private findings = 0
  private readonly started = Date.now()
  private lastDraw = 0

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  listed(size: number): void {
    this.listedObjects++
    this.listedBytes += size
  }

  finding(): void {
    this.findings++
  }

  objectDone(o: { storedBytes: number; records: number }): void {
    this.doneObjects++
    this.doneBytes += o.storedBytes
    this.records += o.records
    const now = Date.now()
    if (now - this.lastDraw > 200) {
      this.lastDraw = now
      this.draw(now)
    }
  }

  line(now = Date.now()): string {
    const secs = Math.max((now - this.started) / 1000, 0.001)
    const rate = this.doneBytes / secs
    const eta = rate > 0 ? (this.listedBytes - this.doneBytes) / rate : Number.POSITIVE_INFINITY
    return (
      `${this.doneObjects}/${this.listedObjects} objects  ${bytes(this.doneBytes)}/${bytes(this.listedBytes)}  ` +
      `${this.records} records  ${this.findings} findings  ${bytes(rate)}/s  ETA ${duration(eta)}`
    )
  }

  private draw(now: number): void {
    // Counts only today, but whatever the line comes to show goes through the same escaping as every other output.
    this.out.write(`\r\x1b[2K${escapeControls(this.line(now))}`)
  }

  stop(): void {
    if (this.doneObjects > 0) this.out.write('\r\x1b[2K')
  }
}
