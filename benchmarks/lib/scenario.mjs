// Lets each scenario file run on its own (`node scenarios/e2e.mjs`) as well as from run-all.mjs.
import { pathToFileURL } from 'node:url'
import { machine, markdown } from './report.mjs'

export const log = (m) => process.stderr.write(`${m}\n`)

export async function standalone(metaUrl, run) {
  if (!process.argv[1] || metaUrl !== pathToFileURL(process.argv[1]).href) return
  const res = await run({ log })
  console.log(markdown(res.rows, res.checks, machine()))
  for (const n of res.notes ?? []) console.log(`- ${n}`)
}
