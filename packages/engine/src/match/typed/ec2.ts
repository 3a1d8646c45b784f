import type { CloudTrailRecord } from '../../record.js'
import { asList, field, str } from './values.js'

/** Ports that give an administrative shell or desktop: SSH and RDP. */
export const ADMIN_PORTS = [22, 3389] as const

/** A range whose prefix length is 0 is the whole address space, whatever host bits are written (AWS masks them). */
function isWholeInternet(cidr: string): boolean {
  return /\/0+$/.test(cidr.trim())
}

function port(x: unknown): number | undefined {
  const n = typeof x === 'number' ? x : typeof x === 'string' && /^-?\d+$/.test(x) ? Number(x) : NaN
  return Number.isFinite(n) ? n : undefined
}

/** The administrative ports an IP permission opens: all of them for protocol -1 (all traffic), else those in range. */
function adminPortsOf(protocol: unknown, from: unknown, to: unknown): number[] {
  const p = typeof protocol === 'string' ? protocol.toLowerCase() : typeof protocol === 'number' ? String(protocol) : ''
  if (p === '-1' || p === 'all') return [...ADMIN_PORTS]
  if (p !== 'tcp' && p !== '6') return []
  const lo = port(from)
  const hi = port(to) ?? lo
  if (lo === undefined || hi === undefined) return []
  // fromPort -1 with tcp is "every port" in the EC2 API.
  return ADMIN_PORTS.filter((a) => (lo === -1 ? true : a >= lo && a <= hi))
}

export interface OpenIngress {
  cidr: string[]
  ports: number[]
}

/**
 * An AuthorizeSecurityGroupIngress that opens SSH or RDP to `0.0.0.0/0` or `::/0`. Both request shapes: the
 * `ipPermissions.items` list the console, CLI and SDKs send, and the older flat `cidrIp`/`fromPort`/`toPort`
 * form (the Stratus Red Team detonation uses it).
 */
export function openAdminIngress(record: CloudTrailRecord): OpenIngress | null {
  if (str(record.eventName) !== 'AuthorizeSecurityGroupIngress') return null
  const rp = record.requestParameters
  const cidrs = new Set<string>()
  const ports = new Set<number>()
  const consider = (ranges: string[], protocol: unknown, from: unknown, to: unknown): void => {
    const open = ranges.filter(isWholeInternet)
    const admin = adminPortsOf(protocol, from, to)
    if (open.length === 0 || admin.length === 0) return
    open.forEach((c) => cidrs.add(c))
    admin.forEach((p) => ports.add(p))
  }
  const flat = str(field(rp, 'cidrIp'))
  if (flat) consider([flat], field(rp, 'ipProtocol'), field(rp, 'fromPort'), field(rp, 'toPort'))
  for (const perm of asList(field(rp, 'ipPermissions', 'items'))) {
    const v4 = asList(field(perm, 'ipRanges', 'items')).map((r) => str(field(r, 'cidrIp')))
    const v6 = asList(field(perm, 'ipv6Ranges', 'items')).map((r) => str(field(r, 'cidrIpv6')))
    const ranges = [...v4, ...v6].filter((c): c is string => c !== undefined)
    consider(ranges, field(perm, 'ipProtocol'), field(perm, 'fromPort'), field(perm, 'toPort'))
  }
  return cidrs.size === 0 ? null : { cidr: [...cidrs], ports: [...ports].sort((a, b) => a - b) }
}
