/**
 * IP literals and CIDR blocks as EventBridge reads them (event-ruler's CIDR class over Java's InetAddress):
 * - only text shaped like `d.d.d.d` or hex-and-colons is an IP at all, so `ip:port`, `AWS Internal` and
 *   `::ffff:1.2.3.4` never are;
 * - IPv4 parts are decimal, leading zeros allowed (`010.1.2.3` is 10.1.2.3), each at most 255;
 * - an IPv4-mapped IPv6 address (`::ffff:a00:1`) becomes the IPv4 address, as InetAddress does;
 * - IPv4 and IPv6 never match each other's blocks. NOTE: event-ruler compares hex strings, so `::/0` also covers
 *   IPv4 there; that is an encoding accident and is not copied.
 */

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/

function looksLikeIp(s: string): boolean {
  return IPV4_SHAPE.test(s) || IPV6_SHAPE.test(s)
}

/** `s` already has the d.d.d.d shape; a hand loop because sourceIPAddress is read once per record per cidr rule. */
function parseV4(s: string): Uint8Array | undefined {
  const out = new Uint8Array(4)
  let part = 0
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 46) {
      out[part++] = n
      n = 0
    } else {
      n = n * 10 + (c - 48)
      if (n > 255) return undefined
    }
  }
  out[part] = n
  return out
}

function parseV6(s: string): Uint8Array | undefined {
  const halves = s.split('::')
  if (halves.length > 2) return undefined
  const groups = (h: string): string[] | undefined => {
    if (h === '') return []
    const g = h.split(':')
    return g.every((x) => HEX_GROUP.test(x)) ? g : undefined
  }
  const head = groups(halves[0] ?? '')
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : []
  if (head === undefined || tail === undefined) return undefined
  const count = head.length + tail.length
  if (halves.length === 2 ? count > 7 : count !== 8) return undefined
  const words = [...head, ...Array<string>(8 - count).fill('0'), ...tail]
  const out = new Uint8Array(16)
  words.forEach((w, i) => {
    const n = parseInt(w, 16)
    out[2 * i] = n >> 8
    out[2 * i + 1] = n & 0xff
  })
  const mapped = out.subarray(0, 10).every((b) => b === 0) && out[10] === 0xff && out[11] === 0xff
  return mapped ? out.slice(12) : out
}

/** The address bytes (4 or 16) of an IP literal, or undefined when `s` is not one. */
export function parseIp(s: string): Uint8Array | undefined {
  // Nearly every IP literal starts with a digit or ':' (or a hex letter); anything longer than an IPv6 text is no IP.
  if (s.length > 45 || s.length < 2) return undefined
  if (IPV4_SHAPE.test(s)) return parseV4(s)
  if (IPV6_SHAPE.test(s)) return parseV6(s)
  return undefined
}

export function sameAddress(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export interface CidrBlock {
  readonly low: Uint8Array
  readonly high: Uint8Array
}

/**
 * Parses `addr/mask`, or returns AWS's reason for rejecting it. The block is the whole network the prefix length
 * defines: host bits set in the written address are masked off, so `10.0.0.5/24` covers 10.0.0.0–10.0.0.255
 * (event-ruler did the same since commit 17099ce, May 2023; before it, the block started at the address as
 * written). Masks must be < 32 (IPv4) and < 128 (IPv6): AWS wants an exact value for one host.
 */
export function parseCidr(text: string): CidrBlock | string {
  // Java's String.split drops trailing empty parts, so "10.0.0.0/" has no mask part at all.
  const parts = text.split('/')
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop()
  if (parts.length !== 2) return "Malformed CIDR, one '/' required"
  const [addr = '', maskText = ''] = parts
  if (!/^[+-]?\d+$/.test(maskText) || Math.abs(Number(maskText)) > 2147483647) {
    return 'Malformed CIDR, mask bits must be an integer'
  }
  const mask = Number(maskText)
  if (mask < 0) return 'Malformed CIDR, mask bits must not be negative'
  if (!looksLikeIp(addr)) return `Nonstandard IP address: ${addr}`
  const low = parseIp(addr)
  if (low === undefined) return `Invalid IP address: ${addr}`
  if (low.length === 4 && mask > 31) return 'IPv4 mask bits must be < 32'
  if (low.length === 16 && mask > 127) return 'IPv6 mask bits must be < 128'
  const high = low.slice()
  for (let bit = mask; bit < high.length * 8; bit++) {
    const i = bit >> 3
    high[i] = (high[i] ?? 0) | (0x80 >> (bit & 7))
    low[i] = (low[i] ?? 0) & ~(0x80 >> (bit & 7))
  }
  return { low, high }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}

export function inBlock(block: CidrBlock, ip: Uint8Array): boolean {
  return ip.length === block.low.length && compareBytes(ip, block.low) >= 0 && compareBytes(ip, block.high) <= 0
}
