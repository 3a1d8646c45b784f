import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { createInterface } from 'node:readline/promises'
import type { LeaseHolder, ScanState, StateStore } from '@trailscan/engine'
import { EXIT } from '../exit-codes.js'
import { CliExit, describeError, isTrailscanError } from '../fail.js'
import { escapeControls } from '../output/terminal-text.js'
import { openStateStore } from '../state/open-state-store.js'
import type { StateArgs } from './state-command.js'

export async function runState(args: StateArgs): Promise<number> {
  const store = await openStateStore(args.location, args)
  try {
    return args.action === 'show' ? await show(store) : await reset(store, args.yes)
  } catch (e) {
    if (isTrailscanError(e)) throw new CliExit(EXIT.usage, describeError(e))
    throw e
  }
}

async function show(store: StateStore): Promise<number> {
  const { parseState } = await import('@trailscan/engine')
  const doc = await store.read()
  const holder = await store.lease()
  const lines = [`state     ${store.location}`]
  if (doc === null) lines.push('          no state: the next run is a first run')
  else {
    const s = parseState(doc.body, store.location)
    lines.push(...describeState(s, doc.version))
  }
  lines.push(`lease     ${holder === null ? 'free' : describeHolder(holder)}`)
  process.stdout.write(lines.map((l) => `${escapeControls(l)}\n`).join(''))
  return EXIT.ok
}

/** The state as a person reads it: what is tracked per delivery day, what closed, the last run. */
export function describeState(s: ScanState, version: string): string[] {
  const byDay = new Map<string, { groups: number; keys: number }>()
  let keys = 0
  for (const g of Object.values(s.groups)) {
    const n = Object.keys(g.keys).length
    keys += n
    const d = byDay.get(g.day ?? 'outside the layout') ?? { groups: 0, keys: 0 }
    d.groups++
    d.keys += n
    byDay.set(g.day ?? 'outside the layout', d)
  }
  const ids = Object.values(s.findingIds).reduce((n, xs) => n + xs.length, 0)
  const r = s.lastRun
  return [
    `format    ${s.format} version ${s.version} (document version ${version})`,
    `sources   ${s.sources.join(' ')}`,
    `since     ${s.since ?? 'the beginning (no --start on the first run)'}`,
    `open      ${s.openFrom === null ? 'every day (no run has completed a listing yet)' : `delivery days from ${s.openFrom}`}`,
    `tracked   ${keys} keys in ${Object.keys(s.groups).length} account/region/day prefixes; ${ids} finding ids`,
    ...[...byDay].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([day, d]) => `  ${day}  ${d.keys} keys in ${d.groups} prefixes`),
    `closed    ${s.closed.days} days, ${s.closed.keys} keys${s.closed.through ? `, through ${s.closed.through}` : ''}`,
    ...Object.entries(s.outputs).map(([path, o]) => `output    ${path}: ${o.committedBytes} bytes committed`),
    `last run  ${
      r === null
        ? 'none'
        : `${r.runId}, ${r.startedAt} to ${r.finishedAt}: ${r.objects} objects, ${r.findings} findings${r.interrupted ? ' (interrupted)' : ''}`
    }`,
  ]
}

function describeHolder(h: LeaseHolder): string {
  return `held by run ${h.runId} (pid ${h.pid} on ${h.host}, started ${h.startedAt}, until ${h.expiresAt})`
}

async function reset(store: StateStore, yes: boolean): Promise<number> {
  if (!yes) {
    if (!process.stdin.isTTY || !process.stderr.isTTY)
      throw new CliExit(EXIT.usage, `state reset ${store.location}: refusing to delete without a terminal to ask on; pass --yes`)
    const rl = createInterface({ input: process.stdin, output: process.stderr })
    const answer = await rl.question(
      `Delete the state at ${escapeControls(store.location)}? The next run will scan its whole window again. [y/N] `,
    )
    rl.close()
    if (!/^y(es)?$/i.test(answer.trim())) {
      process.stderr.write('trailscan: state left as it is\n')
      return EXIT.ok
    }
  }
  // Never under a running scan: its commit would bring back what was deleted.
  const now = Date.now()
  await store.acquire({
    runId: `reset-${randomBytes(4).toString('hex')}`,
    host: hostname(),
    pid: process.pid,
    startedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 60_000).toISOString(),
  })
  await store.reset()
  process.stderr.write(`trailscan: state at ${escapeControls(store.location)} deleted\n`)
  return EXIT.ok
}
