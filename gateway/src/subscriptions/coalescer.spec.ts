import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Coalescer } from './coalescer.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('coalescing', () => {
  it('handles the first value at once, then at most one per window, ending on the last', async () => {
    const handled: { value: number; at: number }[] = [];
    const coalescer = new Coalescer<number>(
      100,
      async (value) => void handled.push({ value, at: Date.now() }),
    );
    const start = Date.now();
    for (let i = 1; i <= 50; i++) {
      coalescer.push(i);
      await vi.advanceTimersByTimeAsync(7); // a burst: 50 changes over 350 ms
    }
    await vi.advanceTimersByTimeAsync(500);
    expect(handled[0]).toEqual({ value: 1, at: start });
    expect(handled.at(-1)!.value).toBe(50);
    expect(handled.length).toBeLessThanOrEqual(5);
    for (let i = 1; i < handled.length; i++)
      expect(handled[i]!.at - handled[i - 1]!.at).toBeGreaterThanOrEqual(100);
  });

  it('spaces outputs by the window even when handling takes time', async () => {
    const finished: number[] = [];
    let slow = true;
    const coalescer = new Coalescer<number>(100, async () => {
      await new Promise((r) => setTimeout(r, slow ? 80 : 5));
      slow = false;
      finished.push(Date.now());
    });
    coalescer.push(1);
    await vi.advanceTimersByTimeAsync(10);
    coalescer.push(2);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(finished).toHaveLength(2);
    expect(finished[1]! - finished[0]!).toBeGreaterThanOrEqual(100);
  });

  it('never overlaps a slow handler, and drops values superseded meanwhile', async () => {
    const seen: number[] = [];
    let active = 0;
    let maxActive = 0;
    const coalescer = new Coalescer<number>(10, async (value) => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      seen.push(value);
      await new Promise((r) => setTimeout(r, 250));
      active -= 1;
    });
    coalescer.push(1);
    await vi.advanceTimersByTimeAsync(1);
    coalescer.push(2);
    coalescer.push(3);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(seen).toEqual([1, 3]);
    expect(maxActive).toBe(1);
  });

  it('stops for good', async () => {
    const seen: number[] = [];
    const coalescer = new Coalescer<number>(100, async (value) => void seen.push(value));
    coalescer.push(1);
    await vi.advanceTimersByTimeAsync(1);
    coalescer.push(2);
    coalescer.stop();
    await vi.advanceTimersByTimeAsync(500);
    expect(seen).toEqual([1]);
  });
});
