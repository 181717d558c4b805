import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { SupergraphSdlHook } from '@apollo/gateway';
import { SupergraphPlanning } from './planning.js';

export interface ReloadResult {
  changed: boolean;
  error?: string;
}

/**
 * The supergraph file, reloadable while the gateway runs: polling the file (robust to the
 * atomic symlink swaps Kubernetes ConfigMaps use) or on demand (SIGHUP). A new supergraph is
 * validated before it replaces the old one; Apollo then swaps schemas between requests, so
 * open connections (HTTP keep-alive, websockets) are never dropped. A broken file is logged
 * and ignored: the gateway keeps serving the last good supergraph.
 */
export class SupergraphSource {
  private current: string;
  private planning: SupergraphPlanning;
  private update: ((sdl: string) => void) | undefined;
  private readonly listeners = new Set<(planning: SupergraphPlanning) => void>();
  private watching = false;

  constructor(
    private readonly path: string,
    private readonly log: { info(o: object, m: string): void; error(o: object, m: string): void },
  ) {
    this.current = readFileSync(path, 'utf8');
    this.planning = new SupergraphPlanning(this.current);
  }

  /** What ApolloGateway's `supergraphSdl` option takes. */
  readonly hook: SupergraphSdlHook = async ({ update }) => {
    this.update = update;
    return {
      supergraphSdl: this.current,
      cleanup: async () => {
        this.update = undefined;
      },
    };
  };

  /** Planning for the current supergraph (subscriptions, operation limits). */
  get currentPlanning(): SupergraphPlanning {
    return this.planning;
  }

  onChange(listener: (planning: SupergraphPlanning) => void) {
    this.listeners.add(listener);
  }

  reload(): ReloadResult {
    let sdl: string;
    let planning: SupergraphPlanning;
    try {
      sdl = readFileSync(this.path, 'utf8');
      if (sdl === this.current) return { changed: false };
      planning = new SupergraphPlanning(sdl);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log.error({ path: this.path, err: message }, 'supergraph reload refused; keeping the current one');
      return { changed: false, error: message };
    }
    this.current = sdl;
    this.planning = planning;
    this.update?.(sdl);
    for (const listener of this.listeners) listener(planning);
    this.log.info({ path: this.path }, 'supergraph reloaded');
    return { changed: true };
  }

  watch(intervalMs: number) {
    if (this.watching) return;
    this.watching = true;
    watchFile(this.path, { interval: intervalMs, persistent: false }, (now, before) => {
      if (now.mtimeMs !== before.mtimeMs || now.size !== before.size) this.reload();
    });
  }

  stop() {
    if (this.watching) unwatchFile(this.path);
    this.watching = false;
  }
}
