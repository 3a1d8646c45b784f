import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonLines, runProcess, type CliResult } from './run-cli.js'

const repo = fileURLToPath(new URL('../../../', import.meta.url))
let dir: string

function run(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runProcess(cmd, args, { cwd, env })
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trailscan-repo-'))
  await mkdir(join(dir, 'work', 'logs'), { recursive: true })
  const record = {
    eventVersion: '1.08',
    userIdentity: { type: 'Root', arn: 'arn:aws:iam::111122223333:root', accountId: '111122223333' },
    eventTime: '2024-03-05T10:01:00Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'AuthorizeSecurityGroupIngress',
    awsRegion: 'eu-west-1',
    requestParameters: { groupId: 'sg-0123456789abcdef0' },
    eventID: 'r-1',
    recipientAccountId: '111122223333',
  }
  await writeFile(join(dir, 'work', 'logs', 'trail.json'), JSON.stringify({ Records: [record] }))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('the CLI run from the repository', () => {
  it('`pnpm trailscan` resolves paths against the directory pnpm was started in (INIT_CWD)', async () => {
    const script = (await import(join(repo, 'package.json'), { with: { type: 'json' } })).default.scripts.trailscan as string
    const [cmd, ...args] = script.split(' ')
    // As pnpm runs a script: in the repository, with the user's directory in INIT_CWD.
    const r = await run(cmd === 'node' ? process.execPath : cmd!, [...args, 'scan', 'logs', '--log-level', 'silent'], repo, {
      INIT_CWD: join(dir, 'work'),
    })
    expect(r.code).toBe(0)
    expect(jsonLines(r.stdout).map((f) => f.eventId)).toContain('r-1')
  })

  it.runIf(/pnpm/.test(process.env.npm_execpath ?? ''))('`pnpm -C <repo> trailscan` prints only the CLI output on stdout', async () => {
    const r = await run(process.execPath, [process.env.npm_execpath!, '-C', repo, 'trailscan', '--version'], dir)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/)
  })
})
