import { gzipSync } from 'node:zlib';
import { deepList, deepObject, toJson } from './values.js';

/** An HTTP request described byte for byte (as far as fetch lets us). */
export interface RawRequest {
  category: string;
  label: string;
  method: string;
  /** Appended to the endpoint URL (a query string, or a path suffix). */
  suffix?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Statuses that are right for this request even without a JSON body (413, 431). */
  sizeStatuses?: number[];
  /** HEAD and OPTIONS: any status below 500, with or without a body. */
  bodyless?: boolean;
}

export const JSON_TYPE = { 'content-type': 'application/json' };
export const Q = '{ __typename }';
export const post = (
  category: string,
  label: string,
  body: string | Buffer,
  headers: Record<string, string> = JSON_TYPE,
) => ({
  category,
  label,
  method: 'POST',
  headers,
  body,
});

export function malformedJson(): RawRequest[] {
  const bodies: [string, string][] = [
    ['truncated', '{"query": "{ __typename'],
    ['trailing garbage', `{"query":"${Q}"} trailing`],
    ['NaN literal', `{"query":"${Q}","variables":{"a":NaN}}`],
    ['single quotes', `{'query':'${Q}'}`],
    ['comment', `{"query":"${Q}" /* hi */}`],
    ['bare string', '"just a string"'],
    ['number', '42'],
    ['null', 'null'],
    ['true', 'true'],
    ['empty object', '{}'],
    ['only whitespace', '   \n  '],
    ['empty', ''],
    ['invalid escape', '{"query":"\\x41"}'],
    ['short unicode escape', '{"query":"\\u12"}'],
    ['huge exponent', `{"query":"${Q}","variables":{"a":1e999999}}`],
    ['duplicate keys', `{"query":"{ nope }","query":"${Q}"}`],
    ['proto pollution', `{"__proto__":{"query":"x"},"constructor":{"prototype":{"a":1}},"query":"${Q}"}`],
    ['deep arrays 100k', '['.repeat(100_000) + ']'.repeat(100_000)],
    [
      'deep object variables',
      `{"query":"query($a: String) { __typename }","variables":${deepObject(50_000).text}}`,
    ],
    [
      'deep list variables',
      `{"query":"query($a: [Int]) { __typename }","variables":{"a":${deepList(50_000).text}}}`,
    ],
    ['unterminated deep', '{"a":'.repeat(10_000)],
    ['BOM', `\ufeff{"query":"${Q}"}`],
    ['query is an object', '{"query":{"kind":"Document"}}'],
    ['query is a list', `{"query":["${Q}"]}`],
    ['variables is a string', `{"query":"${Q}","variables":"{}"}`],
    ['variables is a list', `{"query":"${Q}","variables":[1,2]}`],
    ['variables is a number', `{"query":"${Q}","variables":5}`],
    ['extensions is a string', `{"query":"${Q}","extensions":"x"}`],
    ['extensions is a list', `{"query":"${Q}","extensions":[]}`],
    ['operationName is a list', `{"query":"${Q}","operationName":["a"]}`],
    [
      '100k variables',
      toJson({
        query: Q,
        variables: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`v${i}`, i])),
      }),
    ],
  ];
  return bodies.map(([label, body]) => post('malformed JSON', label, body));
}

export function invalidUtf8(): RawRequest[] {
  const wrap = (bytes: number[]) =>
    Buffer.concat([
      Buffer.from(`{"query":"{ __type(name: \\"`),
      Buffer.from(bytes),
      Buffer.from(`\\") { name } }"}`),
    ]);
  const cases: [string, Buffer][] = [
    ['0xFF', wrap([0xff])],
    ['0xFE 0xFF', wrap([0xfe, 0xff])],
    ['overlong slash', wrap([0xc0, 0xaf])],
    ['encoded surrogate', wrap([0xed, 0xa0, 0x80])],
    ['truncated 3-byte', wrap([0xe2, 0x82])],
    ['five-byte form', wrap([0xf8, 0x88, 0x80, 0x80, 0x80])],
    ['beyond U+10FFFF', wrap([0xf4, 0x90, 0x80, 0x80])],
    ['lone continuation', wrap([0x80, 0x80])],
    ['latin1 e-acute', wrap([0xe9])],
    ['raw NUL in string', wrap([0x00])],
    ['raw control chars', wrap([0x01, 0x1b, 0x7f])],
    [
      'invalid byte in key',
      Buffer.concat([Buffer.from('{"'), Buffer.from([0xff]), Buffer.from(`":1,"query":"${Q}"}`)]),
    ],
    ['utf-16 body labelled utf-8', Buffer.from(`{"query":"${Q}"}`, 'utf16le')],
  ];
  return cases.map(([label, body]) => post('invalid UTF-8', label, body));
}

export function wrongContentTypes(): RawRequest[] {
  const body = JSON.stringify({ query: Q });
  const types = [
    'text/plain',
    'text/plain; charset=utf-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/graphql',
    'application/xml',
    'application/json; charset=latin1',
    'application/json; charset=utf-16',
    'application/json; charset=bogus',
    'application/json; charset="utf-8"; foo=bar',
    'APPLICATION/JSON',
    'application/jsonx',
    'application/problem+json',
    '*/*',
    'application/json, text/plain',
    'image/png',
    'application/octet-stream',
  ];
  const cases: RawRequest[] = types.map((type) =>
    post('wrong content type', type, body, { 'content-type': type, 'apollo-require-preflight': 'true' }),
  );
  cases.push(post('wrong content type', 'none at all', Buffer.from(body), {}));
  cases.push(
    post('wrong content type', 'form body', 'query=%7B__typename%7D', {
      'content-type': 'application/x-www-form-urlencoded',
    }),
  );
  cases.push(
    post('wrong content type', 'gzip label, plain body', body, { ...JSON_TYPE, 'content-encoding': 'gzip' }),
    post('wrong content type', 'unknown encoding', body, { ...JSON_TYPE, 'content-encoding': 'zstd2' }),
    post('wrong content type', 'gzip of garbage', gzipSync(Buffer.from('not json')), {
      ...JSON_TYPE,
      'content-encoding': 'gzip',
    }),
  );
  return cases;
}

export function batches(): RawRequest[] {
  const item = { query: Q };
  const bodies: [string, unknown][] = [
    ['empty batch', []],
    ['one', [item]],
    ['two', [item, item]],
    ['1000', Array.from({ length: 1_000 }, () => item)],
    ['nested', [[item]]],
    ['mixed junk', [item, 1, 'x', null, [], {}]],
    [
      'batch of bombs',
      Array.from({ length: 50 }, () => ({ query: `{ ${'a { '.repeat(100)}b${' }'.repeat(100)} }` })),
    ],
  ];
  return bodies.map(([label, body]) => post('batched arrays', label, JSON.stringify(body)));
}
