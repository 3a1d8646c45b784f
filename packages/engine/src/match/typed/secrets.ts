import type { CloudTrailRecord } from '../../record.js'
import { field, obj, str, strings } from './values.js'

/**
 * How many secrets one request must ask for, decrypted, to count as a bulk read. An application reads the few
 * secrets it was built for (a database password, an API key) and caches them; five or more decrypted in one call
 * is enumeration. GetParameters takes at most 10 names, so the bar sits at half a full call.
 */
export const BULK_SECRETS = 5

/**
 * Whether the caller is a workload reading its own configuration: EC2 instance-profile credentials (CloudTrail
 * marks them with `ec2RoleDelivery`) or a Lambda or ECS task (its SDK writes `exec-env/AWS_Lambda…` or
 * `exec-env/AWS_ECS…` in the user agent). Those read their whole parameter path at every start; a person or a
 * stolen key does not come through them. AWS services acting for a caller (`invokedBy`) are excluded too.
 */
function isWorkloadOrService(record: CloudTrailRecord): boolean {
  const ui = obj(record.userIdentity)
  if (str(ui?.type) === 'AWSService' || str(ui?.invokedBy) !== undefined) return true
  if (field(ui, 'sessionContext', 'ec2RoleDelivery') !== undefined) return true
  return /exec-env\/AWS_(Lambda|ECS)/i.test(str(record.userAgent) ?? '')
}

const isTrue = (x: unknown): boolean => x === true || x === 'true'

export interface BulkRead {
  how: string
  count: number | null
  names: string[]
}

/**
 * One request that reads many secrets: GetParameters of BULK_SECRETS or more names with decryption,
 * GetParametersByPath recursive with decryption (a whole subtree), BatchGetSecretValue by filter (every secret
 * the filter finds) or of BULK_SECRETS or more ids. Null for a workload reading its own configuration.
 */
export function bulkSecretRead(record: CloudTrailRecord): BulkRead | null {
  if (isWorkloadOrService(record)) return null
  const rp = record.requestParameters
  switch (str(record.eventName)) {
    case 'GetParameters': {
      const names = strings(field(rp, 'names'))
      if (!isTrue(field(rp, 'withDecryption')) || names.length < BULK_SECRETS) return null
      return { how: `${names.length} SecureString parameters decrypted in one call`, count: names.length, names }
    }
    case 'GetParametersByPath': {
      if (!isTrue(field(rp, 'withDecryption')) || !isTrue(field(rp, 'recursive'))) return null
      const path = str(field(rp, 'path')) ?? ''
      return { how: `every parameter under ${path} decrypted (recursive)`, count: null, names: [path] }
    }
    case 'BatchGetSecretValue': {
      const ids = strings(field(rp, 'secretIdList'))
      if (field(rp, 'filters') !== undefined && ids.length === 0)
        return { how: 'every secret a filter matches, in one call', count: null, names: [] }
      if (ids.length < BULK_SECRETS) return null
      return { how: `${ids.length} secrets in one call`, count: ids.length, names: ids }
    }
    default:
      return null
  }
}
