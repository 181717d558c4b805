import { describe, expect, it } from 'vitest';
import { HARD_LIMIT_BYTES, HIGH_WATER_BYTES, LatestOnlyWriter, type Buffered } from './subscriber.js';

/** A transport whose buffer fills as frames are written and empties when told to drain. */
function fakeTransport() {
  const state = {
    buffered: 0,
    written: [] as string[],
    drainListeners: [] as (() => void)[],
    overflowed: false,
  };
  const transport: Buffered = {
    bufferedAmount: () => state.buffered,
    write: (frame) => {
      state.written.push(frame);
      state.buffered += frame.length;
    },
    onDrain: (listener) => state.drainListeners.push(listener),
    overflow: () => (state.overflowed = true),
  };
  const drain = () => {
    state.buffered = 0;
    state.drainListeners.splice(0).forEach((l) => l());
  };
  return { state, transport, drain };
}

describe('a slow subscriber', () => {
  it('writes straight through while the transport keeps up', () => {
    const { state, transport } = fakeTransport();
    const writer = new LatestOnlyWriter(transport);
    writer.send('a');
    writer.send('b');
    expect(state.written).toEqual(['a', 'b']);
  });

  it('keeps only the latest payload while backed up, and sends it on drain', () => {
    const { state, transport, drain } = fakeTransport();
    const writer = new LatestOnlyWriter(transport);
    writer.send('x'.repeat(HIGH_WATER_BYTES + 1));
    for (let i = 0; i < 1_000; i++) writer.send(`update-${i}`);
    // Nothing but the first frame went out, and at most one payload waits in memory.
    expect(state.written).toHaveLength(1);
    drain();
    expect(state.written.at(-1)).toBe('update-999');
    expect(state.written).toHaveLength(2);
  });

  it('sends final frames after the waiting payload, in order', () => {
    const { state, transport } = fakeTransport();
    const writer = new LatestOnlyWriter(transport);
    writer.send('x'.repeat(HIGH_WATER_BYTES + 1));
    writer.send('latest');
    writer.sendFinal('complete');
    expect(state.written.slice(1)).toEqual(['latest', 'complete']);
  });

  it('drops a consumer whose buffer passed the hard limit', () => {
    const { state, transport } = fakeTransport();
    const writer = new LatestOnlyWriter(transport);
    state.buffered = HARD_LIMIT_BYTES + 1;
    writer.send('more');
    expect(state.overflowed).toBe(true);
    expect(state.written).toEqual([]);
  });
});
