import { appendFileSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadRuleSet } from '@trailscan/engine'
import { afterAll, describe, expect, it } from 'vitest'
import { readSnapshot, rulesDir, shippedPackDir, shippedPackIds } from '../src/index.js'

const copy = mkdtempSync(join(tmpdir(), 'trailscan-rules-'))
afterAll(() => rmSync(copy, { recursive: true, force: true }))

describe('the build-time snapshot of the shipped packs', () => {
  it('exists after the build', () => {
    expect(existsSync(new URL('../dist/packs.json', import.meta.url))).toBe(true)
  })

  it('holds exactly what loading the YAML gives', async () => {
    const yaml = (await loadRuleSet(shippedPackIds().map((id) => shippedPackDir(id)!))).load
    const snap = readSnapshot(rulesDir)!
    expect(snap.rules).toEqual(yaml.rules.map((r) => r.spec))
    expect(snap.packs).toEqual(yaml.packs)
  })

  it('is ignored as soon as a rule file changes', () => {
    cpSync(rulesDir, copy, { recursive: true, preserveTimestamps: true })
    expect(readSnapshot(`${copy}/`)).toBeDefined()
    appendFileSync(join(copy, 'cis-aws-foundations', 'cis-4.1.yaml'), '\n')
    expect(readSnapshot(`${copy}/`)).toBeUndefined()
  })
})
