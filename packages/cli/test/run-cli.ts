import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url))

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the built CLI as a user would (the root `pnpm test` builds it first). */
export interface RunOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Written to stdin one chunk at a time, 50 ms apart (so a pipe delivers them apart); stdin is empty otherwise. */
  stdin?: Buffer[]
  /** Killed (SIGKILL, code null) after this long, so a hang fails the test instead of outliving it. */
  timeoutMs?: number
}

export function runCli(args: readonly string[], opts: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, CI: 'true', ...opts.env },
      stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    })
    if (opts.stdin) {
      const chunks = [...opts.stdin]
      const feed = (): void => {
        const c = chunks.shift()
        if (c === undefined) return void child.stdin!.end()
        child.stdin!.write(c)
        setTimeout(feed, 50)
      }
      child.stdin!.on('error', () => {}) // the CLI may stop reading early (cap reached)
      feed()
    }
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined
    child.on('close', () => clearTimeout(timer))
    collect(child).then(resolve, reject)
  })
}

/** Any command, stdin empty, with the test environment (CI=true): its exit code and both outputs. */
export function runProcess(cmd: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return collect(spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, CI: 'true', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] }))
}

function collect(child: ChildProcess): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = ''
    let stderr = ''
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
}
