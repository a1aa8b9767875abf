import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { cidrContains, isCidr, isClientIp, ipv4Number, parseCidr, parseClientIp } from './cidr';

function allows(cidr: string, ip: string): boolean {
  const range = parseCidr(cidr);
  const client = parseClientIp(ip);
  if (!range || !client) throw new Error(`bad fixture ${cidr} / ${ip}`);
  return cidrContains(range, client);
}

describe('parseCidr', () => {
  it.each(['10.0.0.0/8', '203.0.113.7', '203.0.113.7/32', '0.0.0.0/0', '2001:db8::/32', '::1', '::1/128', '::/0', '::ffff:10.0.0.0/104'])(
    'accepts %s',
    (cidr) => expect(isCidr(cidr)).toBe(true),
  );

  it.each([
    ['a prefix past 32 on IPv4', '10.0.0.0/33'],
    ['a prefix past 128 on IPv6', '2001:db8::/129'],
    ['an empty prefix', '10.0.0.0/'],
    ['a signed prefix', '10.0.0.0/+8'],
    ['a zero-padded prefix', '10.0.0.0/08'],
    ['an octet above 255', '10.0.0.256'],
    ['a short IPv4 form', '10.1'],
    ['a hexadecimal octet', '0x0a.0.0.1'],
    ['a leading-zero octet', '010.0.0.1'],
    ['an IPv6 zone', 'fe80::1%eth0/64'],
    ['surrounding space', ' 10.0.0.0/8'],
    ['a host name', 'example.com'],
    ['an empty string', ''],
    ['two slashes', '10.0.0.0/8/8'],
  ])('refuses %s', (_label, cidr) => expect(isCidr(cidr)).toBe(false));

  it('treats a bare address as a single host', () => {
    expect(parseCidr('203.0.113.7')?.prefix).toBe(32);
    expect(parseCidr('2001:db8::7')?.prefix).toBe(128);
  });

  it('reads an IPv4-mapped IPv6 range as the IPv4 range it maps', () => {
    const range = parseCidr('::ffff:10.0.0.0/104');
    expect(range?.address.kind()).toBe('ipv4');
    expect(range?.prefix).toBe(8);
  });
});

describe('cidrContains', () => {
  it.each([
    ['10.0.0.0/8', '10.255.1.2', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['203.0.113.7/32', '203.0.113.7', true],
    ['203.0.113.7/32', '203.0.113.8', false],
    ['203.0.113.7', '203.0.113.7', true],
    ['0.0.0.0/0', '198.51.100.1', true],
    ['0.0.0.0/0', '2001:db8::1', false],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['2001:db8::1/128', '2001:db8::1', true],
    ['2001:db8::1/128', '2001:db8::2', false],
    ['::/0', '2001:db8::1', true],
    ['::/0', '198.51.100.1', true],
    ['10.0.0.0/8', '::ffff:10.1.2.3', true],
    ['10.0.0.0/8', '::ffff:11.1.2.3', false],
    ['::ffff:10.0.0.0/104', '10.9.9.9', true],
    ['::ffff:10.0.0.0/104', '::ffff:10.9.9.9', true],
    ['::ffff:0:0/96', '192.0.2.1', true],
    // IPv4-compatible, not IPv4-mapped: the IPv6 address ::102:304, not the IPv4 client 1.2.3.4.
    ['1.2.3.0/24', '::1.2.3.4', false],
    ['::102:304/128', '::1.2.3.4', true],
  ])('%s contains %s: %s', (cidr, ip, expected) => expect(allows(cidr, ip)).toBe(expected));

  const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((octets) => octets.join('.'));

  it('a /32 of an address contains exactly that address', () => {
    fc.assert(fc.property(ipv4, ipv4, (a, b) => expect(allows(`${a}/32`, b)).toBe(a === b)));
  });

  it('an IPv4 address and its IPv4-mapped IPv6 form are allowed by the same ranges', () => {
    fc.assert(
      fc.property(ipv4, ipv4, fc.nat(32), (network, client, prefix) => {
        expect(allows(`${network}/${prefix}`, `::ffff:${client}`)).toBe(allows(`${network}/${prefix}`, client));
      }),
    );
  });

  it('a range contains every address that shares its first prefix bits', () => {
    const toInt = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
    fc.assert(
      fc.property(ipv4, ipv4, fc.nat(32), (network, client, prefix) => {
        const shift = 2 ** (32 - prefix);
        const same = Math.floor(toInt(network) / shift) === Math.floor(toInt(client) / shift);
        expect(allows(`${network}/${prefix}`, client)).toBe(same);
      }),
    );
  });
});

describe('parseClientIp', () => {
  it('normalises an IPv4-mapped IPv6 address to IPv4', () => {
    expect(parseClientIp('::ffff:192.0.2.1')?.toString()).toBe('192.0.2.1');
  });

  it('keeps an IPv4-compatible IPv6 address IPv6', () => {
    expect(parseClientIp('::1.2.3.4')?.toString()).toBe('::102:304');
  });

  it.each(['', 'localhost', '1.2.3', '192.0.2.1:8080', '::1.2.3', '::1.2.3.256'])('refuses %j', (ip) => expect(parseClientIp(ip)).toBeNull());
});

describe('ipv4Number', () => {
  it.each([
    ['0.0.0.0', 0],
    ['192.0.2.10', 0xc000020a],
    ['255.255.255.255', 0xffffffff],
  ])('reads %s as %d', (ip, value) => expect(ipv4Number(ip)).toBe(value));

  it.each(['', '1.2.3', '1.2.3.4.5', '010.0.0.1', '256.0.0.1', '1..2.3', '1.2.3.', '.1.2.3', ' 1.2.3.4', '1.2.3.4 ', '0x0a.0.0.1', '::1'])(
    'refuses %j',
    (ip) => expect(ipv4Number(ip)).toBe(-1),
  );

  it('accepts exactly the dotted quads ipaddr.js accepts, with the same value', () => {
    const text = fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '6', '9', '.', 'x'), maxLength: 16 });
    const quad = fc.tuple(fc.nat(300), fc.nat(300), fc.nat(300), fc.nat(300)).map((octets) => octets.join('.'));
    fc.assert(
      fc.property(fc.oneof(text, quad), (ip) => {
        const valid = ipaddr.IPv4.isValidFourPartDecimal(ip);
        expect(ipv4Number(ip) !== -1).toBe(valid);
        if (valid) expect(ipv4Number(ip)).toBe(ipaddr.IPv4.parse(ip).toByteArray().reduce((n, octet) => n * 256 + octet, 0));
      }),
    );
  });
});

describe('isClientIp', () => {
  it.each(['192.0.2.1', '2001:db8::1', '::ffff:192.0.2.1'])('accepts %s', (ip) => expect(isClientIp(ip)).toBe(true));
  it.each(['', 'localhost', '1.2.3', '192.0.2.1:8080', 'fe80::1%eth0'])('refuses %j', (ip) => expect(isClientIp(ip)).toBe(false));
});
