import { describe, expect, it } from 'vitest'
import { inWindow, textInWindow, type TimeWindow } from './time-window.js'

describe('textInWindow', () => {
  it('agrees with inWindow(Date.parse) on whole-second, odd and sub-second bounds', () => {
    const bounds = [
      undefined,
      '2024-03-05T10:00:00.000Z',
      '2024-03-05T10:00:00.500Z',
      '2024-03-05T10:00:01.000Z',
      '2024-03-05T09:59:59.999Z',
      '+010000-01-01T00:00:00.000Z',
      '2024-03-02T10:00:00.000Z',
    ]
    const times = [
      '2024-03-05T09:59:59Z',
      '2024-03-05T10:00:00Z',
      '2024-03-05T10:00:01Z',
      '2024-03-05T10:00:02Z',
      '2024-03-05T10:00:00.250Z',
      '2024-03-05 10:00:00',
      'garbage',
      '2024-13-05T10:00:00Z',
      '2024-02-31T10:00:00Z',
      '2024-03-05T24:00:00Z',
      '2024-03-05T10:00:60Z',
    ]
    for (const s of bounds)
      for (const e of bounds) {
        const w: TimeWindow = {}
        if (s) w.start = new Date(s)
        if (e) w.end = new Date(e)
        for (const t of times) expect([s, e, t, textInWindow(t, w)]).toEqual([s, e, t, inWindow(Date.parse(t), w)])
      }
  })
})
