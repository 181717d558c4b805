import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '@marquee/subgraph-kit';
import { WorkerLoop, type WorkerLoopOptions } from './worker-loop.js';

/** A pass that waits until the test lets it finish, counting starts; and a logger that keeps errors. */
function harness(options: Partial<WorkerLoopOptions> = {}) {
  const state = { starts: 0, active: 0, overlapped: false, fail: false, errors: [] as string[] };
  let finish: () => void = () => {};
  const run = async () => {
    state.starts += 1;
    state.active += 1;
    if (state.active > 1) state.overlapped = true;
    await new Promise<void>((resolve) => (finish = resolve));
    state.active -= 1;
    if (state.fail) throw new Error('boom');
  };
  const log = {
    error: (_fields: object, message: string) => state.errors.push(message),
  } as unknown as Logger;
  const loop = new WorkerLoop({ run, log, failure: 'pass failed', ...options });
  /** Lets the running pass end, and what follows it (retry bookkeeping, a kicked pass) start. */
  const settle = async () => {
    finish();
    await vi.advanceTimersByTimeAsync(0);
  };
  return { state, loop, settle };
}

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('a worker loop', () => {
  it('runs a pass every interval, none at start unless asked, and skips ticks while one runs', async () => {
    const { state, loop, settle } = harness({ everyMs: 1_000 });
    loop.start();
    expect(state.starts).toBe(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(state.starts).toBe(1);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(state.starts).toBe(1);
    await settle();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(state.starts).toBe(2);
    expect(state.overlapped).toBe(false);
    await settle();
    await loop.stop();
  });

  it('runs at start when told to, and a kick during a pass runs exactly one more after it', async () => {
    const { state, loop, settle } = harness({ atStart: true });
    loop.kick();
    expect(state.starts).toBe(0);
    loop.start();
    expect(state.starts).toBe(1);
    loop.kick();
    loop.kick();
    await settle();
    expect(state.starts).toBe(2);
    await settle();
    expect(state.starts).toBe(2);
    expect(state.overlapped).toBe(false);
    await loop.stop();
  });

  it('logs a failed pass and carries on, retrying after retryMs', async () => {
    const { state, loop, settle } = harness({ everyMs: 60_000, atStart: true, retryMs: 500 });
    state.fail = true;
    loop.start();
    await settle();
    expect(state.errors).toEqual(['pass failed']);
    await vi.advanceTimersByTimeAsync(499);
    expect(state.starts).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(state.starts).toBe(2);
    state.fail = false;
    await settle();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(state.starts).toBe(2);
    await loop.stop();
  });

  it('retries a pass that left work, as long as work is left', async () => {
    let left = 2;
    const { state, loop, settle } = harness({
      atStart: true,
      retryMs: 100,
      unfinished: async () => left-- > 0,
    });
    loop.start();
    for (let i = 0; i < 5; i++) {
      await settle();
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(state.starts).toBe(3);
    expect(state.errors).toEqual([]);
    await loop.stop();
  });

  it('stops cleanly: waits for the pass in flight, then runs nothing more', async () => {
    const { state, loop, settle } = harness({ everyMs: 1_000, atStart: true, retryMs: 10 });
    loop.start();
    loop.kick();
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    expect(loop.stopping).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    await settle();
    await stopping;
    loop.kick();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(state.starts).toBe(1);
  });
});
