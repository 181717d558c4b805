import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLInputType,
} from 'graphql';
import type { Prng } from './prng.js';

/** JSON text sent as it is (numbers JSON.stringify cannot write, nesting it would recurse on). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** JSON.stringify, with RawJson values written verbatim. */
export function toJson(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof RawJson) {
      raws.push(v.text);
      return `@@RAW${raws.length - 1}@@`;
    }
    return v;
  });
  return raws.length === 0 ? text : text.replace(/"@@RAW(\d+)@@"/g, (_m, i: string) => raws[Number(i)]!);
}

export const deepObject = (depth: number) => new RawJson(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
export const deepList = (depth: number) => new RawJson(`${'['.repeat(depth)}1${']'.repeat(depth)}`);

/** Ids that name nothing: malformed, empty, unicode, SQL-ish, oversized. */
export const BAD_IDS = [
  '',
  ' ',
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF',
  '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4fx',
  '{6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f}',
  'urn:uuid:6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
  '1',
  '-1',
  '1e3',
  "1' OR '1'='1",
  "'; DROP TABLE users; --",
  '1; SELECT pg_sleep(5)',
  '%',
  '_',
  '..%2F..%2F',
  'ñandú',
  '💥🎟️',
  '\u202eevil',
  'a'.repeat(10_000),
];

/** Cursors we never issued. */
export const BAD_CURSORS = [
  '',
  '%%%',
  'null',
  Buffer.from('null').toString('base64url'),
  Buffer.from('[]').toString('base64url'),
  Buffer.from('{}').toString('base64url'),
  Buffer.from('{"startsAt":"garbage","id":1}').toString('base64url'),
  Buffer.from('{"s":"2030-01-01T00:00:00Z","i":"not-a-uuid"}').toString('base64url'),
  Buffer.from('[1e400,"x",{"__proto__":{"a":1}}]').toString('base64url'),
  Buffer.from('"\\u0000"').toString('base64url'),
  Buffer.from([0xff, 0xfe, 0xfd]).toString('base64url'),
  'A'.repeat(600),
  'eyJ'.repeat(10_000),
];

/** Strings that are well-typed but unkind. */
export const HOSTILE_STRINGS = [
  '',
  ' ',
  '\t\r\n',
  'a'.repeat(10_000),
  'a\u0000b',
  '\u0000',
  'lone \ud800 surrogate',
  '😀'.repeat(500),
  'Ω≈ç√∫ ＡＢＣ ﷽',
  '\u202eright-to-left',
  '<script>alert(1)</script>',
  "' OR '1'='1",
  "Robert'); DROP TABLE events; --",
  '%_\\',
  '${jndi:ldap://127.0.0.1/a}',
  '{{7*7}}',
  'null',
  'NaN',
  '-Infinity',
];

const DATE_TIMES = [
  '2026-02-30T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '2026-01-01T24:00:00Z',
  '2026-01-01T00:00:00+14:00',
  '1970-01-01T00:00:00.000000001Z',
  '+275760-09-13T00:00:00Z',
  '2026-01-01',
  'garbage',
  '',
];

const INTS = [0, -1, 1, 2_147_483_647, -2_147_483_648, 100, 101, 1_000_000];
const FLOATS = [0, 1e308, -1e308, 5e-324, 90.0000001, -180.5, 1e-300, 12_345_678.9];

type Pools = { entity: string };

/** Values that do not coerce to `type`. */
export function wrongValues(type: GraphQLInputType): unknown[] {
  if (isNonNullType(type)) return [null, ...wrongValues(type.ofType)];
  if (isListType(type)) {
    // Only when an item surely fails (a custom scalar's item may accept anything).
    const item = wrongValues(type.ofType).filter((v) => v !== null);
    return item.length > 0 ? [[item[0]], deepList(2_000)] : [];
  }
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    const required = fields.filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
    return [
      'a string',
      42,
      [],
      { ['no such field']: 1 },
      ...(required.length > 0 ? [{}] : []),
      deepObject(5_000),
    ];
  }
  if (isEnumType(type)) return [type.getValues()[0]!.name.toLowerCase(), 'NOPE', 1, {}];
  switch (type.name) {
    case 'ID':
      return [true, 1.5, {}, ['x'], new RawJson('1e400')];
    case 'String':
      return [1, true, {}, ['x'], 2.5];
    case 'Int':
      return ['1', 1.5, 2_147_483_648, -2_147_483_649, 1e20, true, new RawJson('1e400'), 'NaN', 'Infinity'];
    case 'Float':
      return ['1.5', true, 'NaN', 'Infinity', new RawJson('1e400'), new RawJson('-1e400'), {}];
    case 'Boolean':
      return ['true', 1, 0, {}];
    default:
      return []; // custom scalars: their own parseValue decides (see hostileValues)
  }
}

/** Values of the right type (for the built-in scalars) with hostile content. */
export function hostileValues(type: GraphQLInputType, argName: string, pools: Pools): unknown[] {
  if (isNonNullType(type)) return hostileValues(type.ofType, argName, pools);
  const nullable: unknown[] = [null];
  if (isListType(type)) {
    const items = hostileValues(type.ofType, argName, pools).filter((v) => v !== null);
    const small = items.find((v) => typeof v !== 'string' || v.length < 100) ?? items[0];
    return [...nullable, [], items.slice(0, 5), Array.from({ length: 20_000 }, () => small)];
  }
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    return [0, 1, 2, 3].map((round) =>
      Object.fromEntries(
        fields
          .filter((f) => isNonNullType(f.type) || round % 2 === 0)
          .map((f) => {
            const options = hostileValues(f.type, f.name, pools).filter(
              (v) => v !== null || !isNonNullType(f.type),
            );
            return [f.name, options[(round * 7 + f.name.length) % options.length]];
          }),
      ),
    );
  }
  if (isEnumType(type)) return [...nullable, ...type.getValues().map((v) => v.name)];
  const named = getNamedType(type);
  if (!isScalarType(named)) return nullable;
  switch (named.name) {
    case 'ID':
      return [...nullable, ...BAD_IDS];
    case 'String':
      return /after|cursor/i.test(argName)
        ? [...nullable, ...BAD_CURSORS]
        : [...nullable, ...HOSTILE_STRINGS];
    case 'Int':
      return [...nullable, ...INTS];
    case 'Float':
      return [...nullable, ...FLOATS];
    case 'Boolean':
      return [...nullable, true, false];
    case 'DateTime':
      return [...nullable, ...DATE_TIMES, 12, true, {}];
    case '_Any':
      return [
        {},
        { __typename: 'Nope' },
        { __typename: 'Query' },
        { __typename: pools.entity },
        { __typename: pools.entity, id: {} },
        { __typename: pools.entity, id: 'not-a-uuid' },
        { __typename: pools.entity, id: "1' OR '1'='1" },
        { __typename: pools.entity, id: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f' },
        'a string',
        7,
      ];
    default:
      return [...nullable, ...HOSTILE_STRINGS.slice(0, 8), 1, {}];
  }
}

/** A valid, harmless value for arguments that are not the one under test. */
export function plausibleValue(type: GraphQLInputType, rng: Prng, pools: Pools): unknown {
  if (isNonNullType(type)) return plausibleValue(type.ofType, rng, pools);
  if (isListType(type)) return [plausibleValue(type.ofType, rng, pools)];
  if (isInputObjectType(type)) {
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter((f) => isNonNullType(f.type) && f.defaultValue === undefined)
        .map((f) => [f.name, plausibleValue(f.type, rng, pools)]),
    );
  }
  if (isEnumType(type)) return type.getValues()[0]!.name;
  switch (type.name) {
    case 'ID':
      return rng.uuid();
    case 'Int':
      return 1;
    case 'Float':
      return 1.5;
    case 'Boolean':
      return true;
    case 'DateTime':
      return '2030-01-01T00:00:00Z';
    case '_Any':
      return { __typename: pools.entity, id: rng.uuid() };
    default:
      return `x-${rng.word(6)}`;
  }
}

/** A value as a GraphQL literal (enum values bare when `type` is an enum). */
export function toLiteral(value: unknown, type?: GraphQLInputType): string {
  if (value instanceof RawJson) return value.text.replace(/"a":/g, 'a:');
  if (value === null || value === undefined) return 'null';
  const named = type ? getNamedType(type) : undefined;
  if (typeof value === 'string') {
    return named && isEnumType(named) && /^[_A-Za-z][_0-9A-Za-z]*$/.test(value)
      ? value
      : JSON.stringify(value);
  }
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '1e400';
  if (typeof value === 'boolean') return String(value);
  const inner = type && isNonNullType(type) ? type.ofType : type;
  if (Array.isArray(value)) {
    const item = inner && isListType(inner) ? inner.ofType : undefined;
    return `[${value.map((v) => toLiteral(v, item)).join(', ')}]`;
  }
  const fields = inner && isInputObjectType(inner) ? inner.getFields() : {};
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) =>
      `${/^[_A-Za-z][_0-9A-Za-z]*$/.test(k) ? k : 'invalid_name'}: ${toLiteral(v, fields[k]?.type)}`,
  );
  return `{${entries.join(', ')}}`;
}
