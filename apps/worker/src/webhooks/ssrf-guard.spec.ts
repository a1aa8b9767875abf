import { isPublicAddress, resolveTarget, TargetRefusedError } from './ssrf-guard';

describe('isPublicAddress', () => {
  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('lets the public address %s through', (address) => {
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

  it('returns a public literal as it is', async () => {
    await expect(resolveTarget('8.8.8.8', false)).resolves.toEqual({ address: '8.8.8.8', family: 4 });
  });
});
