import { isPublicAddress, resolveTarget, TargetRefusedError } from './ssrf-guard';

describe('isPublicAddress', () => {
  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])('lets the public address %s through', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it.each([
    ['loopback', '127.0.0.1'],
    ['loopback (other)', '127.5.6.7'],
    ['IPv6 loopback', '::1'],
    ['private 10/8', '10.1.2.3'],
    ['private 172.16/12', '172.16.0.1'],
    ['private 192.168/16', '192.168.1.1'],
    ['carrier-grade NAT', '100.64.0.1'],
    ['link-local (cloud metadata)', '169.254.169.254'],
    ['IPv6 link-local', 'fe80::1'],
    ['unique-local (AWS metadata over IPv6)', 'fd00:ec2::254'],
    ['unspecified', '0.0.0.0'],
    ['IPv6 unspecified', '::'],
    ['multicast', '224.0.0.1'],
    ['broadcast', '255.255.255.255'],
    ['documentation range', '192.0.2.1'],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1'],
    ['IPv4-mapped metadata', '::ffff:169.254.169.254'],
    ['6to4 embedding loopback', '2002:7f00:1::'],
    ['NAT64 embedding loopback', '64:ff9b::7f00:1'],
    ['IPv4-compatible loopback (http://[::127.0.0.1]/ as the URL parser writes it)', '::7f00:1'],
    ['IPv4-compatible loopback, dotted', '::127.0.0.1'],
    ['IPv4-compatible metadata', '::a9fe:a9fe'],
    ['IPv4-compatible private', '::a00:1'],
    ['IPv4-compatible, even of a public address (deprecated form)', '::808:808'],
    ['NAT64 embedding a private address', '64:ff9b::a00:1'],
    ['NAT64 embedding the metadata address', '64:ff9b::a9fe:a9fe'],
    ['local-use NAT64 embedding a private address', '64:ff9b:1::c0a8:101'],
    ['local-use NAT64 embedding loopback', '64:ff9b:1:0:0:0:7f00:1'],
    ['6to4 embedding a private address', '2002:a00:1::'],
    ['6to4 embedding the metadata address', '2002:a9fe:a9fe::1'],
    ['Teredo with a private client address', '2001:0:4136:e378:8000:63bf:f5ff:fffe'],
    ['Teredo with a loopback client address', '2001:0:4136:e378:8000:63bf:80ff:fffe'],
    ['not an address', 'example.com'],
  ])('refuses %s (%s)', (_, address) => {
    expect(isPublicAddress(address)).toBe(false);
  });
});

describe('resolveTarget', () => {
  it('refuses a literal private address without a DNS lookup, naming the address', async () => {
    await expect(resolveTarget('169.254.169.254', false)).rejects.toThrow(
      new TargetRefusedError('refused: the host resolves to 169.254.169.254, a non-public address (loopback, private, link-local or metadata)'),
    );
  });

  it('refuses a bracketed IPv6 literal of the metadata service', async () => {
    await expect(resolveTarget('[fd00:ec2::254]', false)).rejects.toBeInstanceOf(TargetRefusedError);
  });

  it('refuses a name that resolves to loopback', async () => {
    await expect(resolveTarget('localhost', false)).rejects.toThrow(/non-public address/);
  });

  it('lets private targets through when the deployment allows them, pinned to the checked address', async () => {
    await expect(resolveTarget('127.0.0.1', true)).resolves.toEqual({ address: '127.0.0.1', family: 4 });
    await expect(resolveTarget('[::1]', true)).resolves.toEqual({ address: '::1', family: 6 });
  });

  it('refuses the URL form of an IPv4-compatible loopback literal', async () => {
    const { hostname } = new URL('http://[::127.0.0.1]/hook');
    expect(hostname).toBe('[::7f00:1]');
    await expect(resolveTarget(hostname, false)).rejects.toThrow(/refused: the host resolves to ::7f00:1/);
  });

  it('returns a public literal as it is', async () => {
    await expect(resolveTarget('8.8.8.8', false)).resolves.toEqual({ address: '8.8.8.8', family: 4 });
  });
});
