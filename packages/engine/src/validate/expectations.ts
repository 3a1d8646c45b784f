import { readFile } from 'node:fs/promises'
import { RuleSpecError } from '../errors.js'
import { SEVERITIES, type Severity } from '../rules/spec.js'

/**
 * A labelled dataset is a directory of log files plus `expected-findings.jsonl`: one `(ruleId, eventId)` pair per
 * line, optionally with the severity the finding must carry. `expected-errors.jsonl` (optional) lists the read
 * faults the dataset is meant to produce: `object` (path relative to the dataset) and optionally `recordIndex`.
 */
export interface ExpectedFinding {
  ruleId: string
  eventId: string
  severity?: Severity
}

export interface ExpectedError {
  object: string
  recordIndex?: number
}

/**
 * One attack technique the dataset holds (`expected-techniques.jsonl`, optional): its name and the eventIDs of
 * the records that carry it out. `validate --coverage` says, per technique, which rules fired on those records.
 */
export interface ExpectedTechnique {
  technique: string
  eventIds: string[]
}

export const FINDINGS_FILE = 'expected-findings.jsonl'
export const ERRORS_FILE = 'expected-errors.jsonl'
export const TECHNIQUES_FILE = 'expected-techniques.jsonl'

function lines(text: string): { line: number; value: unknown }[] {
  return text
    .split(/\r?\n/)
    .map((l, i) => ({ l: l.trim(), line: i + 1 }))
    .filter(({ l }) => l !== '' && !l.startsWith('#') && !l.startsWith('//'))
    .map(({ l, line }) => ({ line, value: JSON.parse(l) as unknown }))
}

export async function readExpectedFindings(file: string): Promise<ExpectedFinding[]> {
  const out: ExpectedFinding[] = []
  let parsed
  try {
    parsed = lines(await readFile(file, 'utf8'))
  } catch (e) {
    throw new RuleSpecError(`${file}: ${(e as Error).message}`, { location: { file }, cause: e })
  }
  for (const { line, value } of parsed) {
    const v = value as Record<string, unknown>
    if (typeof v?.ruleId !== 'string' || typeof v.eventId !== 'string')
      throw new RuleSpecError(`${file}:${line}: each line needs "ruleId" and "eventId"`, { location: { file, line } })
    if (v.severity !== undefined && !SEVERITIES.includes(v.severity as Severity))
      throw new RuleSpecError(`${file}:${line}: severity must be one of ${SEVERITIES.join(', ')}`, { location: { file, line } })
    out.push(
      v.severity === undefined
        ? { ruleId: v.ruleId, eventId: v.eventId }
        : { ruleId: v.ruleId, eventId: v.eventId, severity: v.severity as Severity },
    )
  }
  return out
}

export async function readExpectedErrors(file: string): Promise<ExpectedError[] | undefined> {
  let text
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw e
  }
  return lines(text).map(({ value }) => {
    const v = value as Record<string, unknown>
    const e: ExpectedError = { object: String(v.object) }
    if (typeof v.recordIndex === 'number') e.recordIndex = v.recordIndex
    return e
  })
}

export async function readExpectedTechniques(file: string): Promise<ExpectedTechnique[] | undefined> {
  let text
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw e
  }
  let parsed
  try {
    parsed = lines(text)
  } catch (e) {
    throw new RuleSpecError(`${file}: ${(e as Error).message}`, { location: { file }, cause: e })
  }
  return parsed.map(({ line, value }) => {
    const v = value as Record<string, unknown>
    const ids = v?.eventIds
    if (typeof v?.technique !== 'string' || !Array.isArray(ids) || !ids.every((x) => typeof x === 'string'))
      throw new RuleSpecError(`${file}:${line}: each line needs "technique" and "eventIds" (a list of strings)`, {
        location: { file, line },
      })
    return { technique: v.technique, eventIds: ids }
  })
}
