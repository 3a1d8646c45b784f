import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './run-cli.js'

let dir: string
let preload: string
const fixtures = fileURLToPath(new URL('../../../fixtures/', import.meta.url))

// ES modules are seen by a load hook (which runs on its own thread, hence the file); CommonJS ones, pino among
// them, are in require.cache when the process exits.
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trailscan-startup-'))
  const hooks = join(dir, 'hooks.mjs')
  preload = join(dir, 'preload.mjs')
  await writeFile(
    hooks,
    `import { appendFileSync } from 'node:fs'
export async function load(url, context, next) {
  appendFileSync(process.env.TRAILSCAN_LOADED, url + '\\n')
  return next(url, context)
}
`,
  )
  await writeFile(
    preload,
    `import { appendFileSync } from 'node:fs'
import { createRequire, register } from 'node:module'
register(${JSON.stringify(pathToFileURL(hooks).href)})
const cache = createRequire(import.meta.url).cache
process.on('exit', () => appendFileSync(process.env.TRAILSCAN_LOADED, Object.keys(cache).join('\\n') + '\\n'))
`,
  )
})
afterAll(() => rm(dir, { recursive: true, force: true }))

async function loadedBy(name: string, args: string[]): Promise<string[]> {
  const list = join(dir, `${name}.txt`)
  const r = await runCli(args, { env: { NODE_OPTIONS: `--import=${pathToFileURL(preload).href}`, TRAILSCAN_LOADED: list } })
  expect(r.code).toBe(0)
  return (await readFile(list, 'utf8')).split('\n').filter(Boolean)
}

const unneeded = [
  /\/(pino|js-yaml|@aws-sdk)\//,
  /\/engine\/(dist|src)\/(index|source\/s3\.|validate\/)/,
  /\/cli\/dist\/(suppressions|account-context|output\/table)\./,
]

describe('start-up', () => {
  it('a local scan with the shipped rules loads neither pino, js-yaml, the S3 source nor the full engine entry', async () => {
    const loaded = await loadedBy('plain', ['scan', join(fixtures, 'benign')])
    expect(loaded.some((f) => f.includes('/engine/dist/scan.js'))).toBe(true)
    // If js-yaml shows up here, check that the rule pack snapshot was built (packages/rules/scripts/build-cache.mjs).
    expect(loaded.filter((f) => unneeded.some((re) => re.test(f)))).toEqual([])
  })

  it('loads pino once a line is logged at the chosen level', async () => {
    const loaded = await loadedBy('debug', ['scan', join(fixtures, 'benign'), '--log-level', 'debug'])
    expect(loaded.some((f) => f.includes('/pino/pino.js'))).toBe(true)
  })
})
