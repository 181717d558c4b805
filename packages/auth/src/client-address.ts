import { isIPv4, isIPv6 } from 'node:net';

/**
 * What a per-address limit counts: an IPv4 address as it is, an IPv6 client by its /64 (one
 * subscriber usually holds a whole /64, and would otherwise get 2^64 fresh counters), an
 * IPv4-mapped IPv6 address as the IPv4 one. Anything else (`unknown`: a call that did not come
 * through the gateway) is one bucket of its own.
 */
export function addressBucket(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address;
  const [head = '', tail] = address.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
