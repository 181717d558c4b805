/**
 * Turns a burst of values into at most one `handle` per `windowMs`: the first value goes at
 * once, later ones wait until `windowMs` after the previous handle finished (its output went
 * out then), and only the newest waiting value is handled — so the last value of a burst is
 * always handled, outputs are at least `windowMs` apart, and calls never overlap.
 */
export class Coalescer<T> {
  private latest: { value: T } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private lastEnd = Number.NEGATIVE_INFINITY;
  private stopped = false;

  constructor(
    private readonly windowMs: number,
    private readonly handle: (value: T) => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {}

  push(value: T) {
    this.latest = { value };
    this.schedule();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule() {
    if (this.timer || this.running || this.stopped || !this.latest) return;
    const wait = Math.max(0, this.lastEnd + this.windowMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, wait);
  }

  private async run() {
    const next = this.latest;
    if (!next || this.stopped) return;
    this.latest = undefined;
    this.running = true;
    try {
      await this.handle(next.value);
    } finally {
      this.running = false;
      this.lastEnd = this.now();
      this.schedule();
    }
  }
}
