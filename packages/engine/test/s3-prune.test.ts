import { describe, expect, it } from 'vitest'
import { dayWindow, overlap, startPoint } from '../src/source/s3-prune.js'

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
  it('widens the event window by the margin, in UTC days', () => {
    expect(dayWindow(new Date('2024-03-01T00:30:00Z'), new Date('2024-03-31T23:59:00Z'))).toEqual({ lo: '2024-02-29', hi: '2024-04-01' })
    expect(dayWindow(undefined, new Date('2024-01-01T00:00:00Z'), 2)).toEqual({ hi: '2024-01-03' })
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
