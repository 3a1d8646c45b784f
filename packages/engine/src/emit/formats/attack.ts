/**
 * MITRE ATT&CK names for the technique ids rules cite (`references.mitreAttack`), so OCSF and ASFF records can
 * name the technique and its tactics. Covers the shipped packs and the cloud techniques rules commonly cite; an
 * id not listed here is still written, by its id alone.
 */

export interface Tactic {
  uid: string
  name: string
}

const TA = {
  initialAccess: { uid: 'TA0001', name: 'Initial Access' },
  execution: { uid: 'TA0002', name: 'Execution' },
  persistence: { uid: 'TA0003', name: 'Persistence' },
  privilegeEscalation: { uid: 'TA0004', name: 'Privilege Escalation' },
  defenseEvasion: { uid: 'TA0005', name: 'Defense Evasion' },
  credentialAccess: { uid: 'TA0006', name: 'Credential Access' },
  discovery: { uid: 'TA0007', name: 'Discovery' },
  collection: { uid: 'TA0009', name: 'Collection' },
  exfiltration: { uid: 'TA0010', name: 'Exfiltration' },
  impact: { uid: 'TA0040', name: 'Impact' },
} as const satisfies Record<string, Tactic>

/**
 * ASFF's `Effects` classifiers, for techniques whose tactic has no `TTPs` category in ASFF's type taxonomy
 * (Impact, Exfiltration).
 */
export type AsffEffect = 'Data Exposure' | 'Data Exfiltration' | 'Data Destruction' | 'Denial of Service' | 'Resource Consumption'

interface TechniqueInfo {
  name: string
  tactics: readonly Tactic[]
  effect?: AsffEffect
}

const TECHNIQUES: Readonly<Record<string, TechniqueInfo>> = {
  T1078: { name: 'Valid Accounts', tactics: [TA.defenseEvasion, TA.persistence, TA.privilegeEscalation, TA.initialAccess] },
  T1098: { name: 'Account Manipulation', tactics: [TA.persistence, TA.privilegeEscalation] },
  T1110: { name: 'Brute Force', tactics: [TA.credentialAccess] },
  T1136: { name: 'Create Account', tactics: [TA.persistence] },
  T1222: { name: 'File and Directory Permissions Modification', tactics: [TA.defenseEvasion] },
  T1485: { name: 'Data Destruction', tactics: [TA.impact], effect: 'Data Destruction' },
  T1496: { name: 'Resource Hijacking', tactics: [TA.impact], effect: 'Resource Consumption' },
  T1526: { name: 'Cloud Service Discovery', tactics: [TA.discovery] },
  T1530: { name: 'Data from Cloud Storage', tactics: [TA.collection] },
  T1531: { name: 'Account Access Removal', tactics: [TA.impact] },
  T1537: { name: 'Transfer Data to Cloud Account', tactics: [TA.exfiltration], effect: 'Data Exfiltration' },
  T1552: { name: 'Unsecured Credentials', tactics: [TA.credentialAccess] },
  T1556: { name: 'Modify Authentication Process', tactics: [TA.credentialAccess, TA.defenseEvasion, TA.persistence] },
  T1562: { name: 'Impair Defenses', tactics: [TA.defenseEvasion] },
  T1580: { name: 'Cloud Infrastructure Discovery', tactics: [TA.discovery] },
}

const SUB_TECHNIQUES: Readonly<Record<string, string>> = {
  'T1078.004': 'Cloud Accounts',
  'T1098.001': 'Additional Cloud Credentials',
  'T1136.003': 'Cloud Account',
  'T1552.005': 'Cloud Instance Metadata API',
  'T1556.006': 'Multi-Factor Authentication',
  'T1562.008': 'Disable or Modify Cloud Logs',
}

export interface AttackTechnique {
  /** As the rule cites it: `T1530` or `T1562.008`. */
  id: string
  technique: { uid: string; name?: string }
  subTechnique?: { uid: string; name?: string }
  /** Empty when the technique is not in the table above. */
  tactics: readonly Tactic[]
  effect?: AsffEffect
}

const TECHNIQUE_ID = /^T\d{4}(?:\.\d{3})?$/

/** The technique ids a finding cites (its rule's `references.mitreAttack`), well-formed ones only, each once. */
export function citedTechniques(references: Record<string, unknown> | null): string[] {
  const ids = references?.mitreAttack
  if (!Array.isArray(ids)) return []
  return [...new Set(ids.filter((x): x is string => typeof x === 'string' && TECHNIQUE_ID.test(x)))]
}

export function attackTechnique(id: string): AttackTechnique {
  const parent = id.slice(0, 5)
  const info = TECHNIQUES[parent]
  const technique = info ? { uid: parent, name: info.name } : { uid: parent }
  const subName = SUB_TECHNIQUES[id]
  const out: AttackTechnique = { id, technique, tactics: info?.tactics ?? [] }
  if (id.length > 5) out.subTechnique = subName ? { uid: id, name: subName } : { uid: id }
  if (info?.effect) out.effect = info.effect
  return out
}
