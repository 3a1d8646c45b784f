import { describe, expect, it } from 'vitest'
import { findingId } from './finding-id.js'

const at = { uri: 's3://b/k.json.gz', recordIndex: 4 }

describe('findingId', () => {
  it('is the same for the same rule, account and event wherever the event was read', () => {
    const a = findingId('cis-4.5', '111122223333', 'e-1', at)
    expect(a).toMatch(/^[0-9a-f]{32}$/)
    expect(findingId('cis-4.5', '111122223333', 'e-1', { uri: 'other.json', recordIndex: 0 })).toBe(a)
  })

  it('differs when any of rule, account or event differs', () => {
    const ids = new Set([
      findingId('cis-4.5', '111122223333', 'e-1', at),
      findingId('cis-4.6', '111122223333', 'e-1', at),
      findingId('cis-4.5', '444455556666', 'e-1', at),
      findingId('cis-4.5', '111122223333', 'e-2', at),
      findingId('cis-4.5', null, 'e-1', at),
    ])
    expect(ids.size).toBe(5)
  })

  it('cannot be forged by moving text between parts', () => {
    expect(findingId('a', 'b\u0000c', 'd', at)).not.toBe(findingId('a', 'b', 'c\u0000d', at))
  })

  it('names an event without an eventID by where it was read: stable on a redo, apart elsewhere', () => {
    const a = findingId('r', '111122223333', null, at)
    expect(findingId('r', '111122223333', null, { ...at })).toBe(a)
    expect(findingId('r', '111122223333', null, { ...at, recordIndex: 5 })).not.toBe(a)
  })
})
