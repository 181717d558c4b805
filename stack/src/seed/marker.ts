import postgres from 'postgres';

/**
 * Whether the demo seed of the embedded database finished, recorded in that database itself
 * (so the record goes wherever the data goes): a row in `stack.demo_seed`, written before the
 * services first start and marked finished once the seed's last request succeeded.
 *
 * - `finished`: the demo is complete.
 * - `started`: a start was stopped (Ctrl-C, a crash, a kill) before its seed finished.
 * - `empty`: a new database, nothing in it yet.
 * - `unmarked`: data from before seeds were recorded (or from `npm run seed`).
 */
export type SeedMarker = 'finished' | 'started' | 'empty' | 'unmarked';

const withSql = async <T>(url: string, use: (sql: postgres.Sql) => Promise<T>): Promise<T> => {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await use(sql);
  } finally {
    await sql.end();
  }
};

async function ensureTable(sql: postgres.Sql) {
  await sql`create schema if not exists stack`;
  await sql`create table if not exists stack.demo_seed (
    started_at timestamptz not null default now(),
    finished_at timestamptz
  )`;
}

export function readSeedMarker(databaseUrl: string): Promise<SeedMarker> {
  return withSql(databaseUrl, async (sql) => {
    const [table] = await sql<
      { exists: boolean }[]
    >`select to_regclass('stack.demo_seed') is not null as exists`;
    if (table?.exists) {
      const rows = await sql<
        { finished: boolean }[]
      >`select finished_at is not null as finished from stack.demo_seed`;
      return rows.some((row) => row.finished) ? 'finished' : 'started';
    }
    // Any schema of ours (the services migrate into their own) means it was used before.
    const [used] = await sql<{ count: number }[]>`
      select count(*)::int as count from pg_namespace
      where nspname not in ('public', 'information_schema') and nspname not like 'pg\\_%'`;
    return (used?.count ?? 0) > 0 ? 'unmarked' : 'empty';
  });
}

export function markSeedStarted(databaseUrl: string): Promise<void> {
  return withSql(databaseUrl, async (sql) => {
    await ensureTable(sql);
    await sql`insert into stack.demo_seed default values`;
  });
}

export function markSeedFinished(databaseUrl: string): Promise<void> {
  return withSql(databaseUrl, async (sql) => {
    await ensureTable(sql);
    const updated = await sql`update stack.demo_seed set finished_at = now() where finished_at is null`;
    if (updated.count === 0) await sql`insert into stack.demo_seed (finished_at) values (now())`;
  });
}
