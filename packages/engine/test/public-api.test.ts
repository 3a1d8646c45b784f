import { describe, expect, it } from 'vitest'
import * as engine from '@trailscan/engine'
import * as formats from '@trailscan/engine/formats'
import * as localScan from '@trailscan/engine/local-scan'

describe('the public API', () => {
  it('exports no stage internals', () => {
    const internals = [
      'RuleIndex',
      'readRecords',
      'decodeRecord',
      'DECODE_DEFAULTS',
      'buildFinding',
      'toEventBridgeEnvelope',
      'compileCwlFilter',
      'compileEventPattern',
      'parseCloudTrailKey',
      'loadRules',
      'patternPosition',
      'countSkipped',
      'emptySummary',
      'openS3Object',
      'checkRuleShape',
    ]
    expect(internals.filter((name) => name in engine)).toEqual([])
  })

  it('gives an embedder scan, the rule-set loader, the sources, the pattern tests and validation', () => {
    for (const name of [
      'scan',
      'loadRuleSet',
      'listLocalObjects',
      'localObject',
      'streamObject',
      'listS3Objects',
      's3Object',
      'testMetricFilter',
      'testEventPattern',
      'validateDataset',
    ])
      expect(typeof (engine as Record<string, unknown>)[name], name).toBe('function')
  })

  it('has a light local-scan entry that is a subset of the main one, the same functions', () => {
    for (const [name, value] of Object.entries(localScan)) expect((engine as Record<string, unknown>)[name], name).toBe(value)
  })

  it('has a formats entry (OCSF, ASFF, CSV) that is a subset of the main one, the same functions', () => {
    for (const name of ['toOcsf', 'toAsff', 'toCsvRow', 'csvHeader'])
      expect(typeof (formats as Record<string, unknown>)[name], name).toBe('function')
    for (const [name, value] of Object.entries(formats)) expect((engine as Record<string, unknown>)[name], name).toBe(value)
  })
})
