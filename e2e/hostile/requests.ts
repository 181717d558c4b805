import { gzipSync } from 'node:zlib';
import { JSON_TYPE, post, Q, type RawRequest } from './raw.js';

export function oddGets(): RawRequest[] {
  const searches = [
    '',
    '?',
    '?query=',
    `?query=${encodeURIComponent(Q)}`,
    `?query=${encodeURIComponent(Q)}&query=${encodeURIComponent('{ nope }')}`,
    `?query[]=${encodeURIComponent(Q)}`,
    `?query[a]=b`,
    `?query=${encodeURIComponent(Q)}&variables=notjson`,
    `?query=${encodeURIComponent(Q)}&variables=%5B1%5D`,
    `?query=${encodeURIComponent(Q)}&variables=${encodeURIComponent('"{}"')}`,
    `?query=${encodeURIComponent(Q)}&extensions=%7B`,
    `?query=${encodeURIComponent(Q)}&extensions=${encodeURIComponent('{"persistedQuery":{"version":1,"sha256Hash":"zz"}}')}`,
    `?query=${encodeURIComponent(Q)}&operationName=`,
    '?query=%',
    '?query=%zz%',
    '?query=%ff%fe',
    '?query=%00',
    `?query=${encodeURIComponent('mutation { __typename }')}`,
    `?query=${encodeURIComponent('subscription { __typename }')}`,
    `?query=${'%7B'.repeat(3_000)}`,
    `?query=${encodeURIComponent(Q)}&${'a=1&'.repeat(1_500)}`,
    `?extensions=${encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } }))}`,
    '/..%2f..%2fetc%2fpasswd',
    '/%2e%2e/',
    '//',
    '/%ff',
  ];
  const cases: RawRequest[] = [];
  for (const suffix of searches) {
    cases.push({
      category: 'odd GET',
      label: `GET ${suffix.slice(0, 40)}`,
      method: 'GET',
      suffix,
      headers: { 'apollo-require-preflight': 'true' },
    });
  }
  for (const suffix of searches.slice(0, 8)) {
    cases.push({
      category: 'odd GET',
      label: `GET, no preflight header ${suffix.slice(0, 30)}`,
      method: 'GET',
      suffix,
      headers: { accept: 'application/json' },
    });
  }
  // The same as Server-Sent Events (EventSource can only GET).
  for (const suffix of searches.slice(3, 14)) {
    cases.push({
      category: 'odd GET',
      label: `GET text/event-stream ${suffix.slice(0, 30)}`,
      method: 'GET',
      suffix,
      headers: { accept: 'text/event-stream', 'apollo-require-preflight': 'true' },
    });
  }
  cases.push({
    category: 'odd GET',
    label: 'query string over the header limit',
    method: 'GET',
    suffix: `?query=${'a'.repeat(20_000)}`,
    sizeStatuses: [414, 431],
  });
  // (fetch refuses to send TRACE and CONNECT.)
  for (const method of ['PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']) {
    cases.push({
      category: 'odd GET',
      label: method,
      method,
      headers: JSON_TYPE,
      ...(method === 'PUT' || method === 'PATCH' ? { body: JSON.stringify({ query: Q }) } : {}),
      ...(method === 'HEAD' || method === 'OPTIONS' ? { bodyless: true } : {}),
    });
  }
  return cases;
}

export function hugeHeaders(): RawRequest[] {
  const body = JSON.stringify({ query: Q });
  const cases: [string, Record<string, string>, number[]?][] = [
    ['one 20 KB header', { 'x-junk': 'a'.repeat(20_000) }, [431]],
    ['200 headers', Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`x-h${i}`, 'v'.repeat(50)]))],
    ['8 KB cookie', { cookie: `a=${'b'.repeat(8_000)}` }],
    ['10 KB bearer token', { authorization: `Bearer ${'a'.repeat(10_000)}` }],
    ['bearer garbage', { authorization: 'Bearer not.a.jwt' }],
    ['bearer with three empty parts', { authorization: 'Bearer ..' }],
    [
      'alg none token',
      {
        authorization: `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`,
      },
    ],
    ['basic auth', { authorization: 'Basic YWRtaW46YWRtaW4=' }],
    ['bearer only', { authorization: 'Bearer' }],
    ['api key huge', { 'x-api-key': 'k'.repeat(8_000) }],
    ['api key garbage', { 'x-api-key': "' OR 1=1 --" }],
    ['api key empty', { 'x-api-key': '' }],
    ['accept event-stream', { accept: 'text/event-stream' }],
    ['accept nothing usable', { accept: 'image/png' }],
    [
      'content-length lie is refused by fetch; huge x-forwarded-for',
      { 'x-forwarded-for': Array.from({ length: 500 }, (_, i) => `10.0.${i % 250}.1`).join(', ') },
    ],
  ];
  return cases.map(([label, headers, sizeStatuses]) => ({
    ...post('huge headers', label, body, { ...JSON_TYPE, ...headers }),
    ...(sizeStatuses ? { sizeStatuses } : {}),
  }));
}

export function persistedQueryJunk(): RawRequest[] {
  const hex = 'ab'.repeat(32);
  const cases: [string, unknown][] = [
    ['version 2', { version: 2, sha256Hash: hex }],
    ['version string', { version: '1', sha256Hash: hex }],
    ['hash not hex', { version: 1, sha256Hash: 'z'.repeat(64) }],
    ['hash short', { version: 1, sha256Hash: 'abc' }],
    ['hash 1 MB-ish', { version: 1, sha256Hash: 'a'.repeat(200_000) }],
    ['hash number', { version: 1, sha256Hash: 12 }],
    ['unknown hash', { version: 1, sha256Hash: hex }],
    ['upper-case unknown hash', { version: 1, sha256Hash: hex.toUpperCase() }],
    ['null', null],
    ['string', 'persisted'],
    ['list', [1]],
    ['empty object', {}],
  ];
  const requests: RawRequest[] = cases.map(([label, persistedQuery]) =>
    post('persisted-query junk', label, JSON.stringify({ extensions: { persistedQuery } })),
  );
  requests.push(
    post(
      'persisted-query junk',
      'hash does not match the query',
      JSON.stringify({ query: Q, extensions: { persistedQuery: { version: 1, sha256Hash: hex } } }),
    ),
    post('persisted-query junk', 'with x-api-key and a query', JSON.stringify({ query: Q }), {
      ...JSON_TYPE,
      'x-api-key': 'mq_nope',
    }),
    post(
      'persisted-query junk',
      'with x-api-key and junk id',
      JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'x' } } }),
      { ...JSON_TYPE, 'x-api-key': 'mq_nope' },
    ),
  );
  return requests;
}

/** Bodies around and over the limit (`limit` bytes), and a gzip bomb. */
export function hugeBodies(limit: number): RawRequest[] {
  const withString = (size: number) =>
    JSON.stringify({
      query: 'query($s: String!) { __type(name: $s) { name } }',
      variables: { s: 'x'.repeat(size) },
    });
  const cases: RawRequest[] = [
    post('huge bodies', 'just under the limit', withString(limit - 200)),
    post(
      'huge bodies',
      'padding in the document',
      JSON.stringify({ query: `${' '.repeat(limit - 100)}{ __typename }` }),
    ),
    { ...post('huge bodies', 'just over the limit', withString(limit + 10)), sizeStatuses: [413] },
    { ...post('huge bodies', '1.5 MB', withString(1_500_000)), sizeStatuses: [413] },
    { ...post('huge bodies', '5 MB', withString(5_000_000)), sizeStatuses: [413] },
    { ...post('huge bodies', '5 MB of nothing', Buffer.alloc(5_000_000, 0x20)), sizeStatuses: [413] },
    {
      ...post('huge bodies', 'gzip bomb (20 MB inflated)', gzipSync(Buffer.from(withString(20_000_000))), {
        ...JSON_TYPE,
        'content-encoding': 'gzip',
      }),
      sizeStatuses: [413],
    },
  ];
  return cases;
}
