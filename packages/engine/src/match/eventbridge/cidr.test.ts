import { describe, expect, test } from 'vitest'
import { inBlock, parseCidr, parseIp, sameAddress, type CidrBlock } from './cidr.js'

const block = (text: string): CidrBlock => {
  const b = parseCidr(text)
  if (typeof b === 'string') throw new Error(b)
  return b
}
const inside = (cidr: string, ip: string): boolean => {
  const addr = parseIp(ip)
  return addr !== undefined && inBlock(block(cidr), addr)
}

describe('parseIp', () => {
  test('reads IPv4 parts as decimal, leading zeros included', () => {
    expect([...(parseIp('010.1.2.3') ?? [])]).toEqual([10, 1, 2, 3])
    expect(parseIp('10.0.0.256')).toBeUndefined()
  })

  test('reads IPv6 with :: compression and either hex case', () => {
    const a = parseIp('2001:DB8::1')
    const b = parseIp('2001:0db8:0000:0000:0000:0000:0000:0001')
    expect(a && b && sameAddress(a, b)).toBe(true)
    expect(parseIp('::')?.length).toBe(16)
  })

  test('an IPv4-mapped IPv6 address is the IPv4 address, as Java reads it', () => {
    expect([...(parseIp('::ffff:a00:1') ?? [])]).toEqual([10, 0, 0, 1])
  })

  test.for(['AWS Internal', 's3.amazonaws.com', '10.0.0.1:443', '::ffff:1.2.3.4', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', '1.2.3'])(
    '%j is not an IP literal',
    (s) => {
      expect(parseIp(s)).toBeUndefined()
    },
  )
})

describe('parseCidr', () => {
  test('bounds are inclusive', () => {
    expect(inside('10.0.0.0/24', '10.0.0.0')).toBe(true)
    expect(inside('10.0.0.0/24', '10.0.0.255')).toBe(true)
    expect(inside('10.0.0.0/24', '10.0.1.0')).toBe(false)
    expect(inside('0.0.0.0/0', '255.255.255.255')).toBe(true)
  })

  test('an IPv4 address is never inside an IPv6 block, nor the other way round', () => {
    expect(inside('::/0', '10.0.0.1')).toBe(false)
    expect(inside('0.0.0.0/0', '::1')).toBe(false)
  })

  test('IPv6 blocks compare addresses, not text', () => {
    expect(inside('2001:db8:1234:1a00::/64', '2001:DB8:1234:1A00:FFFF:FFFF:FFFF:FFFF')).toBe(true)
    expect(inside('2001:db8:1234:1a00::/64', '2001:db8:1234:1a01::')).toBe(false)
  })

  // event-ruler 17099ce (May 2023), MachineTest testIPAddressOfCIDRIsEqualToMaximumOfRange: host bits are masked off.
  test('host bits in the written address are masked down to the network, at both ends', () => {
    expect(inside('10.0.0.5/24', '10.0.0.4')).toBe(true)
    expect(inside('10.0.0.5/24', '10.0.0.0')).toBe(true)
    expect(inside('10.0.0.5/24', '10.0.0.255')).toBe(true)
    expect(inside('10.0.0.5/24', '10.0.1.0')).toBe(false)
    expect(inside('220.160.153.171/31', '220.160.153.170')).toBe(true)
    expect(inside('220.160.153.171/31', '220.160.153.171')).toBe(true)
    expect(inside('220.160.153.171/31', '220.160.153.169')).toBe(false)
    expect(inside('220.160.153.171/31', '220.160.153.172')).toBe(false)
    expect(inside('2001:db8::ff/112', '2001:db8::')).toBe(true)
    expect(inside('2001:db8::ff/112', '2001:db8::fe')).toBe(true)
    expect(inside('2001:db8::ff/112', '2001:db8::1:0')).toBe(false)
  })

  test.for([
    ['10.0.0.0', "Malformed CIDR, one '/' required"],
    ['10.0.0.0/', "Malformed CIDR, one '/' required"],
    ['10.0.0.0/8/8', "Malformed CIDR, one '/' required"],
    ['10.0.0.0/x', 'Malformed CIDR, mask bits must be an integer'],
    ['10.0.0.0/-1', 'Malformed CIDR, mask bits must not be negative'],
    ['10.0.0.0/32', 'IPv4 mask bits must be < 32'],
    ['::/128', 'IPv6 mask bits must be < 128'],
    ['/8', 'Nonstandard IP address: '],
    ['10.0.0.300/8', 'Invalid IP address: 10.0.0.300'],
    ['::ffff:1.2.3.4/8', 'Nonstandard IP address: ::ffff:1.2.3.4'],
  ] as const)('%j is rejected: %s', ([text, reason]) => {
    expect(parseCidr(text)).toBe(reason)
  })
})
