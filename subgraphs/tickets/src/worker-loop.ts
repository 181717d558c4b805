import type { Logger } from '@marquee/subgraph-kit';

export interface WorkerLoopOptions {
  /** One pass of the worker's job. */
  run: () => Promise<unknown>;
  log: Logger;
  /** Logged (with the error) when a pass throws; the loop carries on. */
  failure: string;
  /** A pass every this many ms; without it, passes happen on kick() (and retries) only. */
  everyMs?: number;
  /** The first pass right at start(), not one interval later. */
  atStart?: boolean;
  /** Another pass this long after one that threw, or after which `unfinished` says so. */
  retryMs?: number;
  /** Asked after a pass that went well: is work left that a retry should pick up? */
  unfinished?: () => Promise<boolean>;
}

/**
 * Runs a background worker's passes: every `everyMs` and on kick(), never two at once. An
 * interval tick that finds a pass running is skipped (that pass is doing the periodic work); a
 * kick is remembered and runs one more pass right after it, since what it announces may have
 * committed after the running pass looked. A failed pass is logged, never fatal. Nothing runs
 * before start(); stop() is final and waits for the pass in flight.
 */
export class WorkerLoop {
  private timer: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private started = false;
  private stopped = false;

  constructor(private readonly options: WorkerLoopOptions) {}

  /** True once stop() was called: a long pass may end early between two steps. */
  get stopping(): boolean {
    return this.stopped;
  }

  start() {
    if (this.started || this.stopped) return;
    this.started = true;
    if (this.options.everyMs !== undefined) {
      this.timer = setInterval(() => {
        if (!this.running) this.pass();
      }, this.options.everyMs);
      this.timer.unref();
    }
    if (this.options.atStart) this.pass();
  }

  /** Asks for a prompt pass (no-op unless started). */
  kick() {
    if (!this.started || this.stopped) return;
    if (this.running) this.again = true;
    else this.pass();
  }

  async stop() {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.retry);
    while (this.running) await this.running;
  }

  private pass() {
    this.running = this.runOnce().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async runOnce() {
    let retry: boolean;
    try {
      await this.options.run();
      retry = (await this.options.unfinished?.()) ?? false;
    } catch (error) {
      this.options.log.error({ err: String(error) }, this.options.failure);
      retry = true;
    }
    if (retry && this.options.retryMs !== undefined && !this.stopped) {
      clearTimeout(this.retry);
      this.retry = setTimeout(() => this.kick(), this.options.retryMs);
      this.retry.unref();
    }
  }
}
