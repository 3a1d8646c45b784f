import { describe, expect, it } from 'vitest'
import { parseCloudTrailKey } from '../src/source/key-layout.js'
import type { LogObject } from '../src/source/log-object.js'
import { overlap } from '../src/source/key-filter.js'
import { dayWindow, skipReason, startPoint } from '../src/source/s3-prune.js'
import { RecordFilter } from '../src/select/record-filter.js'

describe('startPoint', () => {
  it('places prefixes at, inside and above AWSLogs/', () => {
    expect(startPoint('')).toEqual({ mode: 'search', prefix: '' })
    expect(startPoint('trail/prod/')).toEqual({ mode: 'search', prefix: 'trail/prod/' })
    expect(startPoint('trail/AWSLogs')).toMatchObject({ mode: 'layout', node: { level: 'top', prefix: 'trail/AWSLogs/', partial: '' } })
    expect(startPoint('AWSLogs/o-abcdefghij/1')).toMatchObject({
      mode: 'layout',
      node: { level: 'account', org: 'o-abcdefghij', prefix: 'AWSLogs/o-abcdefghij/', partial: '1' },
    })
    expect(startPoint('AWSLogs/111111111111/CloudTrail/us-east-1/2024/03/')).toMatchObject({
      mode: 'layout',
      node: { level: 'day', account: '111111111111', product: 'CloudTrail', region: 'us-east-1', year: '2024', month: '03' },
    })
  })

  it('treats prefixes off the layout as plain', () => {
    expect(startPoint('AWSLogs/111111111111/Config/')).toEqual({ mode: 'plain', prefix: 'AWSLogs/111111111111/Config/' })
    expect(startPoint('AWSLogsArchive/x')).toEqual({ mode: 'search', prefix: 'AWSLogsArchive/x' })
  })
})

describe('dayWindow', () => {
  it('widens the end of the event window by the margin, in UTC days (delivery follows the event)', () => {
    expect(dayWindow(new Date('2024-03-01T00:30:00Z'), new Date('2024-03-31T23:59:00Z'))).toEqual({ lo: '2024-03-01', hi: '2024-04-01' })
    // The end is exclusive: events before midnight of Jan 1 are delivered by the end of Jan 2 with a 2-day margin.
    expect(dayWindow(undefined, new Date('2024-01-01T00:00:00Z'), 2)).toEqual({ hi: '2024-01-02' })
    expect(dayWindow(undefined, undefined)).toEqual({})
  })

  it('classifies spans against the window', () => {
    const w = { lo: '2024-02-29', hi: '2024-04-01' }
    expect(overlap(w, '2024-03-01', '2024-03-31')).toBe('all')
    expect(overlap(w, '2024-04-01', '2024-04-30')).toBe('part')
    expect(overlap(w, '2024-04-02', '2024-04-30')).toBe('none')
    expect(overlap({}, '1999-01-01', '1999-12-31')).toBe('all')
  })
})

describe('the S3 lister and scan() prune keys alike', () => {
  // The lister once widened the start side by the margin and scan() did not (and they split the end side
  // differently at midnight), so the lister yielded objects that scan() then counted as pruned.
  const days = ['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01', '2024-03-02', '2024-03-03', '2024-03-04']
  const instants = [undefined, '2024-02-29T00:00:00Z', '2024-02-29T13:00:00Z', '2024-03-01T23:59:59Z', '2024-03-02T00:00:00Z']
  it.each([0, 1, 2])('with a %i-day margin', (marginDays) => {
    const disagreements: string[] = []
    for (const s of instants)
      for (const e of instants) {
        const start = s === undefined ? undefined : new Date(s)
        const end = e === undefined ? undefined : new Date(e)
        if (start && end && start > end) continue
        const listFilter = {
          window: dayWindow(start, end, marginDays),
          accounts: new Set(['111122223333']),
          includeDigest: false,
          includeInsight: false,
        }
        const scanFilter = new RecordFilter(
          { ...(start ? { start } : {}), ...(end ? { end } : {}), accounts: ['111122223333'] },
          marginDays,
        )
        for (const account of ['111122223333', '444455556666'])
          for (const day of days) {
            const key = `AWSLogs/${account}/CloudTrail/us-east-1/${day.replaceAll('-', '/')}/${account}_CloudTrail_us-east-1_x.json.gz`
            const info = parseCloudTrailKey(key)
            const listed = skipReason(key, info, listFilter, 'layout') === undefined
            const scanned = scanFilter.objectMayPass({ uri: key, key: info } as LogObject)
            if (listed !== scanned) disagreements.push(`${s}..${e} ${account} ${day}: listed ${listed}, scan keeps ${scanned}`)
          }
      }
    expect(disagreements).toEqual([])
  })
})
