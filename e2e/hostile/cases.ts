import type { GraphQLSchema } from 'graphql';
import {
  aliasBombs,
  cyclicFragments,
  depthBombs,
  directiveFloods,
  fragmentBombs,
  oddDocuments,
} from './documents.js';
import { Prng } from './prng.js';
import { batches, invalidUtf8, malformedJson, wrongContentTypes, type RawRequest } from './raw.js';
import { hugeBodies, hugeHeaders, oddGets, persistedQueryJunk } from './requests.js';
import { fieldTargets, operationFor } from './schema.js';
import { hostileValues, plausibleValue, toJson, wrongValues } from './values.js';

export interface GeneratedCase {
  request: RawRequest;
  /** Send with an access token (of an ADMIN: every resolver gets past its access check). */
  signedIn?: boolean;
  mustFail?: boolean;
}

const JSON_TYPE = { 'content-type': 'application/json' };

const asRequest = (category: string, label: string, body: Record<string, unknown>): RawRequest => ({
  category,
  label,
  method: 'POST',
  headers: JSON_TYPE,
  body: toJson(body),
});

/** Bombs and odd documents, from the target's own schema where it matters. */
export function documentCases(schema: GraphQLSchema, rng: Prng): GeneratedCase[] {
  const documents = [
    ...depthBombs(schema, rng),
    ...aliasBombs(schema),
    ...fragmentBombs(),
    ...cyclicFragments(schema),
    ...directiveFloods(),
    ...oddDocuments(),
  ];
  return documents.map((d) => ({
    request: asRequest(d.category, d.label, {
      query: d.query,
      ...(d.variables ? { variables: d.variables } : {}),
      ...(d.operationName !== undefined ? { operationName: d.operationName } : {}),
    }),
  }));
}

/**
 * For every argument of every field (roots, and fields on types reachable from Query): values
 * of the wrong type (as variables and inline; these must fail), and values of the right type
 * with hostile content (bad ids and cursors, odd strings, extreme numbers, long lists), sent
 * signed in so they get past the access checks into the services.
 */
export function argumentCases(schema: GraphQLSchema, rng: Prng, entity: string, perArg = 5): GeneratedCase[] {
  const cases: GeneratedCase[] = [];
  const pools = { entity };
  for (const target of fieldTargets(schema, rng, entity)) {
    const where = `${target.parent}.${target.field.name}`;
    for (const arg of target.field.args) {
      const others = target.field.args
        .filter((a) => a !== arg && String(a.type).endsWith('!'))
        .map((a) => ({ arg: a, value: plausibleValue(a.type, rng, pools) }));
      const wrong = wrongValues(arg.type);
      for (const value of rng.sample(wrong, 3)) {
        const op = operationFor(target, [...others, { arg, value }]);
        cases.push({
          request: asRequest('wrong types', `${where}(${arg.name}) = ${toJson(value).slice(0, 40)}`, op),
          mustFail: true,
        });
      }
      if (wrong.length > 0) {
        const value = rng.pick(wrong);
        const op = operationFor(target, [...others, { arg, value, inline: true }]);
        cases.push({
          request: asRequest('wrong types', `${where}(${arg.name}) inline ${toJson(value).slice(0, 40)}`, op),
          mustFail: true,
        });
      }
      const category = /after|cursor/i.test(arg.name)
        ? 'bad cursors'
        : String(arg.type).replace(/[[\]!]/g, '') === 'ID'
          ? 'bad ids'
          : 'odd values';
      for (const value of rng.sample(hostileValues(arg.type, arg.name, pools), perArg)) {
        const op = operationFor(target, [...others, { arg, value }]);
        cases.push({
          request: asRequest(category, `${where}(${arg.name}) = ${toJson(value).slice(0, 40)}`, op),
          signedIn: true,
        });
      }
    }
  }
  return cases;
}

/** Strings of 1 MB and more in a String argument: up to the body limit, and past it. */
export function oversizedStringCases(
  schema: GraphQLSchema,
  rng: Prng,
  entity: string,
  limit: number,
): GeneratedCase[] {
  const stringArgs = fieldTargets(schema, rng, entity).flatMap((target) =>
    target.field.args
      .filter((a) => String(a.type).replace('!', '') === 'String')
      .map((arg) => ({ target, arg })),
  );
  const cases: GeneratedCase[] = [];
  for (const { target, arg } of rng.sample(stringArgs, 4)) {
    const others = target.field.args
      .filter((a) => a !== arg && String(a.type).endsWith('!'))
      .map((a) => ({ arg: a, value: plausibleValue(a.type, rng, { entity }) }));
    for (const size of [limit - 2_000, 2_000_000]) {
      const op = operationFor(target, [...others, { arg, value: 'é'.repeat(Math.floor(size / 2)) }]);
      cases.push({
        request: {
          ...asRequest('oversized strings', `${target.field.name}(${arg.name}) ${size} bytes`, op),
          sizeStatuses: [413],
        },
        signedIn: true,
      });
    }
  }
  return cases;
}

export function rawCases(limit: number): GeneratedCase[] {
  return [
    ...malformedJson(),
    ...invalidUtf8(),
    ...wrongContentTypes(),
    ...oddGets(),
    ...batches(),
    ...hugeHeaders(),
    ...persistedQueryJunk(),
    ...hugeBodies(limit),
  ].map((request) => ({ request }));
}

export function allCases(
  schema: GraphQLSchema,
  seed: number,
  entity: string,
  limit: number,
): GeneratedCase[] {
  const rng = new Prng(seed);
  return [
    ...documentCases(schema, rng),
    ...argumentCases(schema, rng, entity),
    ...oversizedStringCases(schema, rng, entity, limit),
    ...rawCases(limit),
  ];
}
