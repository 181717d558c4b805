/**
 * The authorisation matrix: every mutation and every private field or query of the public API,
 * against every kind of caller, with the outcome API.md promises. authorization.e2e.spec.ts runs
 * one test per cell; README.md's "Authorisation matrix" is this table rendered by matrixMarkdown()
 * (a test keeps them equal).
 */

export const ACTORS = [
  'anonymous',
  'attendee',
  'otherAttendee',
  'otherOrganizer',
  'organizer',
  'admin',
  'partner',
  'direct',
] as const;
export type Actor = (typeof ACTORS)[number];

export const ACTOR_TITLES: Record<Actor, string> = {
  anonymous: 'anonymous',
  attendee: 'attendee A',
  otherAttendee: 'attendee B',
  otherOrganizer: 'organizer O2',
  organizer: 'organizer O',
  admin: 'ADMIN',
  partner: 'partner key',
  direct: 'direct call',
};

/**
 * `ok`: answered; `null`: answered, but the field is hidden (null) rather than refused;
 * otherwise the error's `extensions.code`.
 */
export type Outcome =
  | 'ok'
  | 'null'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'PERSISTED_QUERY_NOT_ALLOWED'
  | 'GRAPHQL_VALIDATION_FAILED';

export type Owner = 'users' | 'events' | 'tickets' | 'recommendations';

export interface MatrixRow {
  /** How the README names it: a root field, or Type.field for a field of an entity. */
  operation: string;
  kind: 'mutation' | 'query' | 'field';
  /** The subgraph that resolves it: where the direct call goes. */
  owner: Owner;
  /** What the cells act on. */
  subject: string;
  /** The registered operation (operations/persisted-query-manifest.json) the partner runs by id. */
  registered?: string;
  expected: Record<Actor, Outcome>;
}

const ok = 'ok';
const hidden = 'null';
const U = 'UNAUTHENTICATED';
const F = 'FORBIDDEN';
const PQ = 'PERSISTED_QUERY_NOT_ALLOWED';
const V = 'GRAPHQL_VALIDATION_FAILED';

type Cells = [Outcome, Outcome, Outcome, Outcome, Outcome, Outcome, Outcome, Outcome];

function row(
  kind: MatrixRow['kind'],
  operation: string,
  owner: Owner,
  registered: string | undefined,
  subject: string,
  cells: Cells,
): MatrixRow {
  const expected = Object.fromEntries(ACTORS.map((actor, i) => [actor, cells[i]!])) as MatrixRow['expected'];
  return { operation, kind, owner, subject, ...(registered ? { registered } : {}), expected };
}

// prettier-ignore
export const MATRIX: MatrixRow[] = [
  //   kind        operation                owner      registered      subject                           anon    A       B       O2      O       ADMIN   partner direct
  row('mutation', 'signUp',                'users',   'SignUp',          'a new e-mail',                  [ok,     ok,     ok,     ok,     ok,     ok,     ok,     U]),
  row('mutation', 'signIn',                'users',   'SignIn',          'an account\'s password',        [ok,     ok,     ok,     ok,     ok,     ok,     ok,     U]),
  row('mutation', 'refreshSession',        'users',   'RefreshSession',  'a live refresh token',          [ok,     ok,     ok,     ok,     ok,     ok,     ok,     U]),
  row('mutation', 'signOut',               'users',   'SignOut',         'a live refresh token',          [ok,     ok,     ok,     ok,     ok,     ok,     ok,     U]),
  row('mutation', 'grantRole',             'users',   'GrantRole',       'ORGANIZER for a new user',      [U,      F,      F,      F,      F,      ok,     U,      U]),
  row('mutation', 'createApiKey',          'users',   'CreateApiKey',    'a new key',                     [U,      F,      F,      F,      F,      ok,     U,      U]),
  row('mutation', 'revokeApiKey',          'users',   'RevokeApiKey',    'a live key',                    [U,      F,      F,      F,      F,      ok,     U,      U]),
  row('mutation', 'createVenue',           'events',  'CreateVenue',     'a new venue',                   [U,      F,      F,      ok,     ok,     ok,     U,      U]),
  row('mutation', 'createEvent',           'events',  'CreateEvent',     'a new event at O\'s venue',     [U,      F,      F,      ok,     ok,     ok,     U,      U]),
  row('mutation', 'updateEvent',           'events',  'UpdateEvent',     'a DRAFT event of O',            [U,      F,      F,      F,      ok,     ok,     U,      U]),
  row('mutation', 'publishEvent',          'events',  'PublishEvent',    'a DRAFT event of O',            [U,      F,      F,      F,      ok,     ok,     U,      U]),
  row('mutation', 'cancelEvent',           'events',  'CancelEvent',     'a PUBLISHED event of O',        [U,      F,      F,      F,      ok,     ok,     U,      U]),
  row('mutation', 'addTicketTier',         'tickets', 'AddTicketTier',   'O\'s PUBLISHED event',          [U,      F,      F,      F,      ok,     ok,     U,      U]),
  row('mutation', 'reserveTickets',        'tickets', 'ReserveTickets',  'one seat of O\'s event',        [U,      ok,     ok,     ok,     ok,     ok,     U,      U]),
  row('mutation', 'releaseReservation',    'tickets', 'ReleaseReservation', 'A\'s HELD reservation',      [U,      ok,     F,      F,      F,      F,      U,      U]),
  row('mutation', 'checkout',              'tickets', 'Checkout',        'A\'s HELD reservation',         [U,      ok,     F,      F,      F,      F,      U,      U]),
  row('mutation', 'refundOrder',           'tickets', 'RefundOrder',     'A\'s CONFIRMED order',          [U,      ok,     F,      F,      ok,     ok,     U,      U]),
  row('mutation', 'checkInTicket',         'tickets', 'CheckInTicket',   'a VALID ticket of A',           [U,      F,      F,      F,      ok,     F,      U,      U]),
  row('mutation', 'recordEventView',       'recommendations', 'RecordEventView', 'an event id',           [ok,     ok,     ok,     ok,     ok,     ok,     ok,     U]),
  row('query',    'me',                    'users',   'Me',              'the caller',                    [hidden, ok,     ok,     ok,     ok,     ok,     hidden, U]),
  row('field',    'User.email',            'users',   undefined,         'A\'s e-mail (user(id))',        [hidden, ok,     hidden, hidden, hidden, ok,     PQ,     U]),
  row('query',    'order',                 'tickets', 'OrderDetails',    'A\'s order',                    [U,      ok,     F,      F,      ok,     ok,     U,      U]),
  row('field',    'Ticket.code',           'tickets', undefined,         'A\'s tickets (order(id))',      [U,      ok,     F,      F,      ok,     ok,     PQ,     U]),
  row('field',    'User.orders',           'tickets', undefined,         'A\'s orders (user(id))',        [U,      ok,     F,      F,      F,      ok,     PQ,     U]),
  row('field',    'User.recommendedEvents', 'recommendations', undefined, 'A\'s (user(id))',              [U,      ok,     F,      F,      F,      F,      PQ,     U]),
  row('query',    'apiKeys',               'users',   'ApiKeys',         'every key',                     [U,      F,      F,      F,      F,      ok,     U,      U]),
  row('query',    'event',                 'events',  'EventDetails',    'a DRAFT event of O',            [hidden, hidden, hidden, hidden, ok,     ok,     hidden, U]),
  row('field',    'User.organizedEvents',  'events',  undefined,         'O\'s DRAFT event among O\'s events', [hidden, hidden, hidden, hidden, ok, ok,  PQ,     U]),
  row('query',    'activeApiKeyByHash',    'users',   undefined,         'internal: the gateway\'s key check', [V,  V,      V,      V,      V,      V,      PQ,     U]),
];

export function matrixMarkdown(rows: MatrixRow[] = MATRIX): string {
  const header = ['operation', 'on', 'partner runs', ...ACTORS.map((a) => ACTOR_TITLES[a])];
  const lines = [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => {
      const name = r.kind === 'field' ? `\`${r.operation}\`` : `\`${r.operation}\` (${r.kind})`;
      const partner = r.registered ? `\`${r.registered}\` by id` : 'the document';
      return `| ${[name, r.subject, partner, ...ACTORS.map((a) => r.expected[a])].join(' | ')} |`;
    }),
  ];
  return lines.join('\n');
}
