import { describe, expect, it } from 'vitest'
import { Progress, progressWanted } from '../src/progress.js'

describe('progress line', () => {
  it('shows objects, bytes, records, findings, rate and an ETA from the bytes listed so far', () => {
    const writes: string[] = []
    const out = { write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream
    const p = new Progress(out)
    p.listed(4_000_000)
    p.listed(4_000_000)
    p.finding()
    p.objectDone({ storedBytes: 4_000_000, records: 1200 })
    const line = p.line(Date.now() + 2000)
    expect(line).toMatch(/^1\/2 objects {2}4\.0 MB\/8\.0 MB {2}1200 records {2}1 findings {2}[\d.]+ (MB|KB)\/s {2}ETA \d+s$/)
  })

  it('stays off without a terminal or in CI unless asked', () => {
    const tty = process.stderr.isTTY
    const ci = process.env.CI
    try {
      process.env.CI = 'true'
      expect(progressWanted(undefined)).toBe(false)
      expect(progressWanted(true)).toBe(true)
      delete process.env.CI
      Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true })
      expect(progressWanted(undefined)).toBe(false)
      Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true })
      expect(progressWanted(undefined)).toBe(true)
    } finally {
      Object.defineProperty(process.stderr, 'isTTY', { value: tty, configurable: true })
      if (ci === undefined) delete process.env.CI
      else process.env.CI = ci
    }
  })
})
