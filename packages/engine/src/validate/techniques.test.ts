import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Finding } from '../emit/finding.js'
import { RuleSpecError } from '../errors.js'
import { techniqueCoverage } from './dataset.js'
import { readExpectedTechniques } from './expectations.js'

describe('expected-techniques.jsonl and technique coverage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trailscan-techniques-'))

  it('reads one technique per line, and is optional', async () => {
    const file = join(dir, 'ok.jsonl')
    writeFileSync(file, '# technique → its records\n{"technique":"t1","eventIds":["a","b"]}\n\n{"technique":"t2","eventIds":[]}\n')
    expect(await readExpectedTechniques(file)).toEqual([
      { technique: 't1', eventIds: ['a', 'b'] },
      { technique: 't2', eventIds: [] },
    ])
    expect(await readExpectedTechniques(join(dir, 'missing.jsonl'))).toBeUndefined()
  })

  it('names the file and line of a malformed entry', async () => {
    const file = join(dir, 'bad.jsonl')
    writeFileSync(file, '{"technique":"t1","eventIds":["a"]}\n{"technique":"t2","eventIds":"a"}\n')
    await expect(readExpectedTechniques(file)).rejects.toThrow(RuleSpecError)
    await expect(readExpectedTechniques(file)).rejects.toThrow(/bad\.jsonl:2: each line needs "technique" and "eventIds"/)
    writeFileSync(file, '{not json\n')
    await expect(readExpectedTechniques(file)).rejects.toThrow(/bad\.jsonl/)
  })

  it('lists, per technique, every rule that fired on one of its records, sorted and once', () => {
    const f = (ruleId: string, eventId: string | null) => ({ ruleId, eventId }) as Finding
    const findings = [f('r2', 'a'), f('r1', 'b'), f('r2', 'b'), f('r3', 'z'), f('r4', null)]
    expect(
      techniqueCoverage(
        [
          { technique: 't1', eventIds: ['a', 'b'] },
          { technique: 't2', eventIds: ['c'] },
        ],
        findings,
      ),
    ).toEqual([
      { technique: 't1', rules: ['r1', 'r2'] },
      { technique: 't2', rules: [] },
    ])
  })
})
