import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN } from './run-cli.js'

let dir: string
let logs: string

// 300 objects of 400 Root security-group changes (two findings each): a few seconds of scanning at one object
// at a time, so the scan is mid-way when the signal comes.
const OBJECTS = 300
const RECORDS = 400

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trailscan-sig-'))
  logs = join(dir, 'logs')
  await mkdir(logs)
  const template = {
    eventVersion: '1.08',
    userIdentity: { type: 'Root', principalId: '111122223333', arn: 'arn:aws:iam::111122223333:root', accountId: '111122223333' },
    eventTime: '2024-03-05T10:01:00Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'AuthorizeSecurityGroupIngress',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: { groupId: 'sg-0123456789abcdef0' },
    eventID: '',
    recipientAccountId: '111122223333',
  }
  for (let o = 0; o < OBJECTS; o++) {
    const records = Array.from({ length: RECORDS }, (_, i) => ({ ...template, eventID: `e-${o}-${i}` }))
    await writeFile(join(logs, `part-${String(o).padStart(4, '0')}.json.gz`), gzipSync(JSON.stringify({ Records: records }), { level: 1 }))
  }
}, 60_000)
afterAll(() => rm(dir, { recursive: true, force: true }))

async function interrupted(
  signal: 'SIGINT' | 'SIGTERM',
  workers: number,
): Promise<{ code: number | null; stdout: string; stderr: string; summary: string }> {
  const summaryFile = join(dir, `summary-${signal}-${workers}.json`)
  const args = [
    'scan',
    logs,
    '--concurrency',
    String(workers),
    '--workers',
    String(workers),
    '--summary-json',
    summaryFile,
    '--log-level',
    'silent',
  ]
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  let sent = false
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString()
    // Findings are flowing: the scan is in progress.
    if (!sent) {
      sent = true
      child.kill(signal)
    }
  })
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000)
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  clearTimeout(guard)
  return { code, stdout, stderr, summary: await readFile(summaryFile, 'utf8').catch(() => '') }
}

describe('a signal mid-scan', () => {
  it.each([
    ['SIGINT', 130, 1],
    ['SIGTERM', 143, 1],
    ['SIGINT', 130, 2],
    ['SIGTERM', 143, 2],
  ] as const)(
    '%s: whole lines, a summary marked interrupted on stderr and in --summary-json, exit %i (--workers %i)',
    async (signal, code, workers) => {
      const r = await interrupted(signal, workers)
      expect(r.code).toBe(code)
      const lines = r.stdout.split('\n')
      expect(lines.pop()).toBe('')
      for (const l of lines) expect(() => JSON.parse(l)).not.toThrow()
      expect(lines.length).toBeGreaterThan(0)
      expect(lines.length).toBeLessThan(OBJECTS * RECORDS * 2)
      expect(r.stderr).toMatch(new RegExp(`Summary \\(interrupted by ${signal}`))
      const summary = JSON.parse(r.summary) as { interrupted?: boolean; objects: { read: number }; findings: { total: number } }
      expect(summary.interrupted).toBe(true)
      expect(summary.objects.read).toBeLessThan(OBJECTS)
      // Every finding counted was written.
      expect(summary.findings.total).toBe(lines.length)
    },
    60_000,
  )
})
