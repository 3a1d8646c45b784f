// Runs a command (`pnpm test` gives it the vitest suite) on Node 24, the current LTS, whatever Node runs pnpm.
// Node 24 comes from the npm package `node` through npx: not a devDependency, because that package fetches the
// platform's binary in a preinstall script, and this workspace allows no install scripts (onlyBuiltDependencies).
// Its directory goes first on PATH, so everything the command starts (`node` in a bin shim, a child process of a
// test) runs on the same Node.
import { execFileSync, spawnSync } from 'node:child_process'
import { delimiter, dirname } from 'node:path'

const NODE = 'node@24.21.0'

const [cmd, ...args] = process.argv.slice(2)
if (!cmd) {
  console.error('usage: node scripts/on-node24.mjs <command> [args...]')
  process.exit(2)
}
const [version, execPath] = execFileSync('npx', ['-y', NODE, '-p', 'process.version + "\\n" + process.execPath'], { encoding: 'utf8' })
  .trim()
  .split('\n')
if (!version?.startsWith('v24.') || !execPath) {
  console.error(`${NODE} via npx gave ${JSON.stringify(version)}, not a Node 24`)
  process.exit(1)
}
console.log(`\n${cmd} ${args.join(' ')} on Node ${version} (${execPath})\n`)
const r = spawnSync(cmd, args, {
  stdio: 'inherit',
  env: { ...process.env, PATH: `${dirname(execPath)}${delimiter}${process.env.PATH ?? ''}` },
})
if (r.error) throw r.error
process.exit(r.status ?? 1)
