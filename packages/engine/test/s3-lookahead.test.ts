import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { flatMapOrdered } from '../src/source/s3-lookahead.js'

async function* items(n: number, log: string[]): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) {
    log.push(`item ${i}`)
    yield i
  }
}

function pages(i: number, started: number[]): AsyncIterable<string> {
  return (async function* () {
    started.push(i)
    for (let p = 0; p < 3; p++) {
      await sleep(((i * 7 + p * 3) % 5) + 1) // uneven latency, so later prefixes often finish first
      yield `${i}.${p}`
    }
  })()
}

describe('flatMapOrdered', () => {
  it('yields in source order whatever order the expansions finish in', async () => {
    const out: string[] = []
    for await (const v of flatMapOrdered(items(6, []), (i) => pages(i, []), 3)) out.push(v)
    expect(out).toEqual(Array.from({ length: 6 }, (_, i) => [0, 1, 2].map((p) => `${i}.${p}`)).flat())
  })

  it('runs at most `lookahead` expansions ahead of the consumer', async () => {
    const started: number[] = []
    const log: string[] = []
    const it = flatMapOrdered(items(100, log), (i) => pages(i, started), 4)[Symbol.asyncIterator]()
    await it.next()
    await sleep(30)
    expect(started.length).toBeLessThanOrEqual(4)
    expect(log.length).toBeLessThanOrEqual(4)
    await it.return?.()
  })

  it('surfaces an expansion error when that expansion reaches the head', async () => {
    const out: string[] = []
    const failing = (i: number): AsyncIterable<string> =>
      (async function* () {
        if (i === 2) throw new Error('listing 2 failed')
        yield `${i}`
      })()
    await expect(
      (async () => {
        for await (const v of flatMapOrdered(items(5, []), failing, 4)) out.push(v)
      })(),
    ).rejects.toThrow('listing 2 failed')
    expect(out).toEqual(['0', '1'])
  })
})
