// Timing helpers. Every measured command runs in a fresh child process under /usr/bin/time (for peak RSS),
// timed from the parent with hrtime, so all variants pay the same process start-up. Variants of one scenario
// are interleaved (A B C, B C A, C A B, ...) and summarised by their median, so a noisy neighbour on the
// 2-core machine hits every variant alike instead of one unlucky variant.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined
export const MB = 1024 * 1024

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/**
 * Runs one command; resolves with wall seconds, peak RSS (MB, from /usr/bin/time's %M, i.e. the largest
 * resident set of the process tree it waited for), CPU seconds (user + system, %U + %S, null without
 * /usr/bin/time) and exit code. stdout goes to /dev/null unless captured.
 */
export function run(cmd, args, { env, captureStdout = false, okCodes = [0], cwd } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tsbench-'))
  const rssFile = join(dir, 'rss')
  // Peak RSS (KB), then the user and system CPU seconds of the process tree that time waited for.
  const argv = TIME ? ['-f', '%M %U %S', '-o', rssFile, cmd, ...args] : args
  const out = captureStdout ? 'pipe' : openSync('/dev/null', 'w')
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint()
    const child = spawn(TIME ?? cmd, argv, { stdio: ['ignore', out, 'pipe'], env: { ...process.env, ...env }, cwd })
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-20000)))
    child.on('error', reject)
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9
      let rssMB = null
      let cpuSeconds = null
      try {
        const [kb, user, sys] = readFileSync(rssFile, 'utf8').trim().split('\n').pop().split(' ').map(Number)
        if (Number.isFinite(kb)) rssMB = kb / 1024
        if (Number.isFinite(user) && Number.isFinite(sys)) cpuSeconds = user + sys
      } catch {}
      rmSync(dir, { recursive: true, force: true })
      if (!okCodes.includes(code)) {
        reject(new Error(`${cmd} ${args.join(' ').slice(0, 300)} exited ${code}\n${stderr.slice(-3000)}`))
        return
      }
      resolve({ seconds, rssMB, cpuSeconds, code, stdout, stderr })
    })
  })
}

/**
 * Measures variants interleaved, `reps` times each. A variant is { id, run: () => Promise<{seconds, ...}> }.
 * Returns, per id, every sample plus the median/min/max seconds and the last run's extra fields.
 */
export async function interleave(variants, reps, log = () => {}) {
  const samples = new Map(variants.map((v) => [v.id, []]))
  for (let rep = 0; rep < reps; rep++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(k + rep) % variants.length]
      const res = await v.run()
      samples.get(v.id).push(res)
      log(`  ${v.id} #${rep + 1}: ${res.seconds.toFixed(3)} s${res.rssMB ? `, ${res.rssMB.toFixed(0)} MB RSS` : ''}`)
    }
  }
  const out = {}
  for (const [id, xs] of samples) {
    const secs = xs.map((x) => x.seconds)
    out[id] = {
      id,
      runs: xs.length,
      seconds: median(secs),
      min: Math.min(...secs),
      max: Math.max(...secs),
      rssMB: Math.max(...xs.map((x) => x.rssMB ?? 0)) || null,
      last: xs.at(-1),
      /** Every run's result, in round order (round i of every variant ran back to back). */
      all: xs,
      samples: secs,
    }
  }
  return out
}

export const reps = (env = process.env) => Number(env.BENCH_REPS ?? 3)
export const fmt = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? '—' : Number(x).toFixed(d))
