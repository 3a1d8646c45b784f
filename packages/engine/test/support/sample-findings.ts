/**
 * Real findings for the delivery tests: the shipped packs over the public-s3 and cis-org-trail fixtures (bucket
 * policies and ACLs, several accounts of an organization trail), as a scan produces them.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { listLocalObjects, loadRuleSet, scan, type Finding } from '../../src/index.js'

const repo = fileURLToPath(new URL('../../../../', import.meta.url))

export async function sampleFindings(datasets: string[] = ['public-s3', 'cis-org-trail']): Promise<Finding[]> {
  const packs = ['cis-aws-foundations', 'public-s3', 's3-policy-changes', 's3-hardening'].map((p) => join(repo, 'packages/rules/rules', p))
  const { rules, diagnostics } = await loadRuleSet(packs)
  if (diagnostics.length > 0) throw new Error(diagnostics.map((d) => d.message).join('; '))
  const findings: Finding[] = []
  await scan({ objects: listLocalObjects(datasets.map((d) => join(repo, 'fixtures', d))), rules, onFinding: (f) => findings.push(f) })
  return findings
}
