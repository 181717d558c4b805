import { describe, expect, it } from 'vitest';
import { addressBucket } from './client-address.js';

describe('addressBucket', () => {
  it('keeps IPv4 addresses, and maps IPv4-mapped IPv6 to them', () => {
    expect(addressBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('::FFFF:203.0.113.7')).toBe('203.0.113.7');
  });

  it('counts an IPv6 client by its /64, however it is written', () => {
    const bucket = '2001:db8:1:2::/64';
    for (const address of [
      '2001:db8:1:2::1',
      '2001:0db8:0001:0002:ffff:ffff:ffff:ffff',
      '2001:DB8:1:2:0:0:0:9',
      '2001:db8:1:2::',
      '2001:db8:1:2::1%eth0',
    ])
      expect(addressBucket(address)).toBe(bucket);
    expect(addressBucket('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(addressBucket('::1')).toBe('0:0:0:0::/64');
    expect(addressBucket('2001:db8::1')).toBe('2001:db8:0:0::/64');
  });

  it('leaves anything else as one bucket of its own', () => {
    expect(addressBucket('unknown')).toBe('unknown');
  });
});
