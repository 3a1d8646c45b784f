import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ListingReport, listLocalObjects, RetryBudget, scan } from '@trailscan/engine'

describe('listing errors and skipped files reach the summary through scan()', () => {
  it('puts listing errors first, counts skipped files, and reports the retry budget', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trailscan-listing-'))
    mkdirSync(join(dir, '.hidden'))
    const bad = { eventVersion: '1.08', eventName: 'x' }
    writeFileSync(join(dir, 'a.json'), `{"Records":[${JSON.stringify(bad)},{"eventVersion":"1.08",]}`)
    const missing = join(dir, 'missing')
    const logged: string[] = []
    const listing = new ListingReport({ onError: (e) => logged.push(e.code) })
    const summary = await scan({
      objects: listLocalObjects([missing, dir], listing),
      listing,
      retries: new RetryBudget(7),
      rules: [],
      onFinding: () => {},
    })
    expect(summary.errors[0]).toMatchObject({ code: 'TRAILSCAN_SOURCE_READ', object: missing })
    expect(summary.errors.length).toBeGreaterThan(1)
    expect(logged).toEqual(['TRAILSCAN_SOURCE_READ'])
    expect(summary.skipped.byReason).toEqual({ hidden: 1 })
    expect(summary.retries).toMatchObject({ budget: 7, used: 0 })
  })
})
