/**
 * What a failed query may say in a log line. drizzle's DrizzleQueryError reads
 * "Failed query: <sql>\nparams: <values>" (message and stack) and keeps `params`; postgres.js
 * errors keep `parameters`, `args` (enumerable in debug mode) and Postgres' `detail`
 * ("Failing row contains (...)", "Key (email)=(...)"), and Postgres quotes a value it could
 * not read in its message. Values are user ids, idempotency keys, amounts, e-mail addresses:
 * none of it is logged. What is kept says what failed: the statement with its `$n`
 * placeholders, the SQL state, Postgres' message, the constraint, table and column names.
 */

const REDACTED = '[redacted]';

/** drizzle appends the values last: everything after the marker goes, up to the string's end. */
const DRIZZLE_PARAMS = /\nparams: [\s\S]*$/;

/**
 * Postgres' own messages that quote the value they refused (SQL state class 22 mostly), each
 * behind a plain substring so that the lines that are none of them (almost all) cost a scan.
 */
const QUOTED_VALUES: [marker: string, pattern: RegExp, replacement: string][] = [
  [
    'invalid input ',
    /(invalid input (?:syntax|value) for (?:type|enum) [^:\n]+: )"[\s\S]*"/g,
    `$1"${REDACTED}"`,
  ],
  ['literal: "', /(malformed [\w ]+ literal: )"[\s\S]*"/g, `$1"${REDACTED}"`],
  ['out of range: "', /((?:date\/time )?field value out of range: )"[\s\S]*"/g, `$1"${REDACTED}"`],
  ['is out of range for type', /(value )"[^\n]*"( is out of range for type)/g, `$1"${REDACTED}"$2`],
];

/** Postgres' error fields that name things, not values (postgres.js keeps Postgres' names). */
const KEPT_FIELDS = [
  'code',
  'severity',
  'query',
  'position',
  'schema_name',
  'table_name',
  'column_name',
  'constraint_name',
  'routine',
] as const;

const MAX_DEPTH = 5;

/** A free-form string (a message, `String(error)`, a stack) without drizzle's params or quoted values. */
export function scrubText(text: string, values: readonly string[] = []): string {
  let out = text.replace(DRIZZLE_PARAMS, `\nparams: ${REDACTED}`);
  for (const [marker, pattern, replacement] of QUOTED_VALUES)
    if (out.includes(marker)) out = out.replace(pattern, replacement);
  for (const value of values) out = out.split(value).join(REDACTED);
  return out;
}

/**
 * The values bound to a failed statement anywhere in an error's cause chain, as text, longest
 * first (so a value that contains another is replaced whole). Shorter than 3 characters they
 * would garble the rest (every "1" of a stack trace): where Postgres quotes one, the patterns
 * above catch it.
 */
function boundValues(error: unknown): string[] {
  const values = new Set<string>();
  const collect = (value: unknown, depth: number) => {
    if (depth > 3 || value === null || value === undefined) return;
    if (Array.isArray(value)) value.forEach((v) => collect(v, depth + 1));
    else if (value instanceof Date) values.add(value.toISOString());
    else if (typeof value === 'object') Object.values(value as object).forEach((v) => collect(v, depth + 1));
    else values.add(String(value));
  };
  const seen = new Set<unknown>();
  for (let e = error; e && typeof e === 'object' && !seen.has(e); e = causeOf(e)) {
    seen.add(e);
    const record = e as Record<string, unknown>;
    for (const key of ['params', 'parameters', 'args']) collect(record[key], 0);
  }
  return [...values].filter((v) => v.length >= 3).sort((a, b) => b.length - a.length);
}

const causeOf = (error: object): unknown =>
  (error as { cause?: unknown }).cause ?? (error as { originalError?: unknown }).originalError;

/**
 * An error as a log line may carry it: type, message, stack, the Postgres fields that name
 * things, and its cause the same way; any other property is dropped (an error's own fields are
 * whatever its thrower put there, often the input).
 */
export function loggableError(error: unknown, depth = 0, values = boundValues(error)): unknown {
  if (!(error instanceof Error)) return typeof error === 'string' ? scrubText(error, values) : error;
  const record = error as unknown as Record<string, unknown>;
  const query = typeof record.query === 'string' ? record.query : undefined;
  // drizzle's message is its statement and its values; the statement is kept as `query`.
  const drizzle = query !== undefined && 'params' in record && error.message.startsWith('Failed query: ');
  const message = drizzle ? 'Failed query' : scrubText(error.message, values);
  const stack = error.stack?.replace(error.message, () => message);
  const out: Record<string, unknown> = { type: error.constructor?.name ?? error.name, message };
  if (error.name !== out.type) out.name = error.name;
  if (stack) out.stack = scrubText(stack, values);
  for (const field of KEPT_FIELDS) {
    const value = record[field];
    if (typeof value === 'string' || typeof value === 'number') out[field] = value;
  }
  const cause = causeOf(error);
  if (cause !== undefined && cause !== error && depth < MAX_DEPTH) {
    out.cause = loggableError(cause, depth + 1, values);
  }
  if (Array.isArray(record.errors) && depth < MAX_DEPTH) {
    out.errors = record.errors.slice(0, 10).map((e) => loggableError(e, depth + 1, values));
  }
  return out;
}

const isPlain = (value: object) => {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null || Array.isArray(value);
};

/**
 * A value about to be logged, with every error in it made loggable and every string scrubbed.
 * Plain objects and arrays are copied (the caller's stay as they were); other objects (a
 * request, a response) are left to their serializers. Deeper than MAX_DEPTH nothing is looked
 * at, so nothing is logged either.
 */
export function scrubLogValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value instanceof Error) return loggableError(value);
  if (!value || typeof value !== 'object' || !isPlain(value)) return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((v) => scrubLogValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = scrubLogValue(v, depth + 1);
  return out;
}

/**
 * pino's arguments (`obj, msg, ...interpolation` or `msg, ...`): an error logged on its own
 * becomes `{ err }` with its message, as pino would do itself.
 */
export function scrubLogArguments(args: unknown[]): unknown[] {
  const [first, ...rest] = args;
  if (first instanceof Error) {
    const err = loggableError(first) as { message: string };
    return [{ err }, ...(rest.length > 0 ? rest.map((v) => scrubLogValue(v)) : [err.message])];
  }
  return args.map((v) => scrubLogValue(v));
}

/**
 * The last word, on the JSON line itself: drizzle's marker inside any JSON string, up to the
 * string's end (escapes are skipped whole, so a value cannot end the string early).
 */
export function scrubLine(line: string): string {
  return line.includes('params: ')
    ? line.replace(/\\nparams: (?:[^"\\]|\\.)*/g, `\\nparams: ${REDACTED}`)
    : line;
}
