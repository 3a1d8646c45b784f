import { join, relative, sep } from 'node:path'
import type { Finding } from '../emit/finding.js'
import type { CompiledRule } from '../match/matcher.js'
import { scan, type AccountContext } from '../scan.js'
import { ListingReport } from '../source/listing-report.js'
import { listLocalObjects } from '../source/local.js'
import type { ScanSummary } from '../emit/summary.js'
import { compareFindings, type Comparison } from './compare.js'
import {
  ERRORS_FILE,
  FINDINGS_FILE,
  readExpectedErrors,
  readExpectedFindings,
  readExpectedTechniques,
  TECHNIQUES_FILE,
  type ExpectedError,
  type ExpectedTechnique,
} from './expectations.js'

export interface DatasetOptions {
  dir: string
  rules: readonly CompiledRule[]
  /** Expectations file; default `<dir>/expected-findings.jsonl`. */
  expectations?: string
  context?: Readonly<Record<string, AccountContext>>
}

export interface DatasetReport {
  dir: string
  comparison: Comparison
  /** Read faults the dataset declares but the scan did not meet, and faults it met that were not declared. */
  errors: { missing: ExpectedError[]; unexpected: ExpectedError[] }
  findings: Finding[]
  summary: ScanSummary
  /** Per technique of `expected-techniques.jsonl` (absent without it): the rules that fired on its records. */
  techniques?: TechniqueCoverage[]
  clean: boolean
}

export interface TechniqueCoverage {
  technique: string
  /** Rule ids that fired on at least one of the technique's records, sorted; empty when it went unseen. */
  rules: string[]
}

/** Which rules fired on each technique's records. */
export function techniqueCoverage(techniques: readonly ExpectedTechnique[], findings: readonly Finding[]): TechniqueCoverage[] {
  const byEvent = new Map<string, Set<string>>()
  for (const f of findings) {
    if (f.eventId === null) continue
    const set = byEvent.get(f.eventId) ?? new Set<string>()
    set.add(f.ruleId)
    byEvent.set(f.eventId, set)
  }
  return techniques.map(({ technique, eventIds }) => ({
    technique,
    rules: [...new Set(eventIds.flatMap((id) => [...(byEvent.get(id) ?? [])]))].sort(),
  }))
}

const key = (e: ExpectedError): string => `${e.object}\u0000${e.recordIndex ?? ''}`

/** Scans a labelled dataset and compares what fired with what should have. */
export async function validateDataset(opts: DatasetOptions): Promise<DatasetReport> {
  const expected = await readExpectedFindings(opts.expectations ?? join(opts.dir, FINDINGS_FILE))
  const expectedErrors = (await readExpectedErrors(join(opts.dir, ERRORS_FILE))) ?? []
  const techniques = await readExpectedTechniques(join(opts.dir, TECHNIQUES_FILE))
  const findings: Finding[] = []
  const listing = new ListingReport()
  const summary = await scan({
    objects: listLocalObjects([opts.dir], listing),
    listing,
    rules: opts.rules,
    ...(opts.context ? { context: opts.context } : {}),
    onFinding: (f) => findings.push(f),
  })
  const rel = (p: string): string => relative(opts.dir, p).split(sep).join('/')
  const met: ExpectedError[] = [
    ...summary.errors.map((e) => {
      const m: ExpectedError = { object: rel(e.object ?? '') }
      if (e.recordIndex !== undefined) m.recordIndex = e.recordIndex
      return m
    }),
  ]
  // An expected error without a record index matches any fault in that object.
  const matches = (want: ExpectedError, got: ExpectedError): boolean =>
    want.object === got.object && (want.recordIndex === undefined || want.recordIndex === got.recordIndex)
  const missing = expectedErrors.filter((w) => !met.some((g) => matches(w, g)))
  const unexpected = met.filter((g) => !expectedErrors.some((w) => matches(w, g)))
  const seen = new Set<string>()
  const unexpectedUnique = unexpected.filter((e) => !seen.has(key(e)) && seen.add(key(e)))
  const comparison = compareFindings(expected, findings)
  return {
    dir: opts.dir,
    comparison,
    errors: { missing, unexpected: unexpectedUnique },
    findings,
    summary,
    ...(techniques ? { techniques: techniqueCoverage(techniques, findings) } : {}),
    clean: comparison.clean && missing.length === 0 && unexpectedUnique.length === 0,
  }
}
