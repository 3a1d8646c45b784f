import type { Finding } from '../finding.js'

/**
 * A finding as a writer receives it: with `suppressed` when a suppression matched and the caller chose to write
 * it anyway (`--show-suppressed`).
 */
export type EmittedFinding = Finding & { suppressed?: { reason: string; expires: string } }

/** The CIS control ids a finding's rule cites, per benchmark version (`references.cis`), in the rule's order. */
export function cisControls(references: Record<string, unknown> | null): [version: string, control: string][] {
  const cis = references?.cis
  if (!cis || typeof cis !== 'object' || Array.isArray(cis)) return []
  return Object.entries(cis).filter((e): e is [string, string] => typeof e[1] === 'string')
}

/** The NIST SP 800-53 controls a finding's rule cites (`references.nist80053`). */
export function nistControls(references: Record<string, unknown> | null): string[] {
  const n = references?.nist80053
  return Array.isArray(n) ? n.filter((x): x is string => typeof x === 'string') : []
}

/** The rule's reference URLs (`references.urls`). */
export function referenceUrls(references: Record<string, unknown> | null): string[] {
  const u = references?.urls
  return Array.isArray(u) ? u.filter((x): x is string => typeof x === 'string') : []
}

/** One sentence on what happened, from the finding's own fields, for formats that want a description. */
export function describeFinding(f: Finding): string {
  const who = f.actor.arn ?? f.actor.userName ?? f.actor.type ?? 'an unknown caller'
  const what = f.eventName ? `${f.eventName}${f.eventSource ? ` (${f.eventSource})` : ''}` : 'an API call'
  const on = f.resource.name ? ` on ${f.resource.type ?? 'resource'} ${f.resource.name}` : ''
  const where = [f.account ? `account ${f.account}` : '', f.region ?? ''].filter(Boolean).join(', ')
  const when = f.eventTime ? ` at ${f.eventTime}` : ''
  const from = f.sourceIp ? ` from ${f.sourceIp}` : ''
  const failed = f.errorCode ? `; the call failed with ${f.errorCode}` : ''
  const status = f.status ? ` (${f.status})` : ''
  return `${f.title}${status}: ${what} by ${who}${on}${where ? ` in ${where}` : ''}${when}${from}${failed}.`
}
