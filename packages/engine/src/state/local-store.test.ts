import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { LeaseHeldError, StateConflictError } from '../errors.js'
import { LocalStateStore } from './local-store.js'
import type { LeaseHolder } from './state-store.js'

const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))
function store(): LocalStateStore {
  const d = mkdtempSync(join(tmpdir(), 'trailscan-store-'))
  dirs.push(d)
  return new LocalStateStore(join(d, 'state'))
}

function holder(runId: string, pid = process.pid, host = hostname()): LeaseHolder {
  return { runId, host, pid, startedAt: '2026-12-03T10:00:00.000Z', expiresAt: new Date(Date.now() + 600_000).toISOString() }
}

/** The pid of a process that has exited: nothing runs under it now. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'])
  return Number(r.stdout.toString())
}

describe('LocalStateStore: the document', () => {
  it('has no document at first, then the one written, with a new version each write', async () => {
    const s = store()
    expect(await s.read()).toBeNull()
    const v1 = await s.write(Buffer.from('one'), null)
    expect(await s.read()).toEqual({ body: Buffer.from('one'), version: v1 })
    const v2 = await s.write(Buffer.from('two'), v1)
    expect(v2).not.toBe(v1)
    expect((await s.read())!.body.toString()).toBe('two')
  })

  it('refuses a write based on a version that is no longer current, and changes nothing', async () => {
    const s = store()
    const v1 = await s.write(Buffer.from('one'), null)
    await s.write(Buffer.from('two'), v1)
    await expect(s.write(Buffer.from('stale'), v1)).rejects.toBeInstanceOf(StateConflictError)
    await expect(s.write(Buffer.from('first again'), null)).rejects.toBeInstanceOf(StateConflictError)
    expect((await s.read())!.body.toString()).toBe('two')
  })

  it('lets exactly one of two writers racing from the same version commit', async () => {
    const s = store()
    const v1 = await s.write(Buffer.from('base'), null)
    const results = await Promise.allSettled([s.write(Buffer.from('a'), v1), s.write(Buffer.from('b'), v1)])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect(lost.reason).toBeInstanceOf(StateConflictError)
  })

  it('keeps only the current generation and the one before it', async () => {
    const s = store()
    let v: string | null = null
    for (let i = 0; i < 5; i++) v = await s.write(Buffer.from(String(i)), v)
    expect(readdirSync(s.location).filter((n) => n.startsWith('state-'))).toEqual(['state-0000000004.json', 'state-0000000005.json'])
  })
})

describe('LocalStateStore: the lease', () => {
  it('refuses a second holder while the first one lives, naming it', async () => {
    const s = store()
    const lease = await s.acquire(holder('first'))
    const err = await s.acquire(holder('second')).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LeaseHeldError)
    expect((err as LeaseHeldError).holder.runId).toBe('first')
    expect((err as Error).message).toContain(`pid ${process.pid} on ${hostname()}`)
    await lease.release()
    const again = await s.acquire(holder('second'))
    expect((await s.lease())!.runId).toBe('second')
    await again.release()
    expect(await s.lease()).toBeNull()
  })

  it('takes over a lock whose process is gone from this host, telling onTakeover', async () => {
    const s = store()
    const dead = deadPid()
    await s.acquire(holder('crashed', dead))
    const told: LeaseHolder[] = []
    const lease = await s.acquire(holder('next'), { onTakeover: (stale) => told.push(stale) })
    expect(told.map((h) => [h.runId, h.pid])).toEqual([['crashed', dead]])
    expect(lease.holder.runId).toBe('next')
    expect((await s.lease())!.runId).toBe('next')
  })

  it('judges a lock from another host by its expiry: live until then, taken over after', async () => {
    const s = store()
    await s.acquire({ ...holder('remote', 1, 'other-host'), expiresAt: new Date(Date.now() + 60_000).toISOString() })
    await expect(s.acquire(holder('local'))).rejects.toBeInstanceOf(LeaseHeldError)
    writeFileSync(
      join(s.location, 'lock'),
      JSON.stringify({ ...holder('remote', 1, 'other-host'), expiresAt: new Date(Date.now() - 1000).toISOString() }),
    )
    const told: string[] = []
    await s.acquire(holder('local'), { onTakeover: (h) => told.push(h.runId) })
    expect(told).toEqual(['remote'])
  })

  it('renews only its own lease, and never releases another run’s', async () => {
    const s = store()
    const dead = deadPid()
    const old = await s.acquire(holder('old', dead))
    await s.acquire(holder('new'))
    await expect(old.renew()).rejects.toBeInstanceOf(LeaseHeldError)
    await old.release()
    expect((await s.lease())!.runId).toBe('new')
  })

  it('reset removes the document and the lock', async () => {
    const s = store()
    await s.write(Buffer.from('x'), null)
    await s.acquire(holder('r'))
    await s.reset()
    expect(await s.read()).toBeNull()
    expect(await s.lease()).toBeNull()
    expect(readdirSync(s.location)).toEqual([])
  })
})
