// The idle lock's clock: pure logic, no DOM (the window wires the activity events to it).
//
// After `minutes` without activity it calls `onIdle`, once. Activity only notes the time (a
// mouse move costs a subtraction, not a new timer); when the timer comes due it looks at the
// last activity and waits again for what is left. A laptop put to sleep does not escape it:
// activity that comes after the deadline (timers may be late after a sleep) fires at once
// instead of starting a new wait.

/** A timer source: `setTimeout`/`clearTimeout` by default (the tests use fake ones). */
export interface TimerSource {
  set: (fn: () => void, ms: number) => unknown;
  clear: (handle: unknown) => void;
}

export interface IdleOptions {
  /** Minutes without activity before `onIdle`; 0 (or less, or not a number) never fires. */
  minutes: number;
  /** Called once, when the delay has passed without activity. */
  onIdle: () => void;
  /** Milliseconds now (`Date.now` by default). */
  now?: () => number;
  timers?: TimerSource;
}

const DEFAULT_TIMERS: TimerSource = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class IdleTimer {
  private readonly delay: number;
  private readonly onIdle: () => void;
  private readonly now: () => number;
  private readonly timers: TimerSource;
  private last = 0;
  private handle: unknown = null;
  private running = false;
  private done = false;

  constructor(opts: IdleOptions) {
    const m = Number(opts.minutes);
    this.delay = Number.isFinite(m) && m > 0 ? m * 60_000 : 0;
    this.onIdle = opts.onIdle;
    this.now = opts.now ?? (() => Date.now());
    this.timers = opts.timers ?? DEFAULT_TIMERS;
  }

  /** False when the idle lock is off (0 minutes). */
  get enabled(): boolean {
    return this.delay > 0;
  }

  /** True once `onIdle` was called. */
  get fired(): boolean {
    return this.done;
  }

  /** Starts counting from now. Does nothing when disabled or already fired. */
  start(): void {
    if (!this.enabled || this.done) return;
    this.running = true;
    this.last = this.now();
    this.arm(this.delay);
  }

  /** Someone used the window: the count starts again (unless the deadline had passed). */
  activity(): void {
    if (!this.running) return;
    const t = this.now();
    if (t - this.last >= this.delay) {
      this.fire();
      return;
    }
    this.last = t;
  }

  /** Stops for good (the session closed some other way). */
  stop(): void {
    this.running = false;
    this.disarm();
  }

  private arm(ms: number): void {
    this.disarm();
    this.handle = this.timers.set(() => this.due(), Math.max(0, ms));
  }

  private disarm(): void {
    if (this.handle !== null) {
      this.timers.clear(this.handle);
      this.handle = null;
    }
  }

  private due(): void {
    this.handle = null;
    if (!this.running) return;
    const left = this.last + this.delay - this.now();
    if (left > 0) this.arm(left);
    else this.fire();
  }

  private fire(): void {
    this.stop();
    if (this.done) return;
    this.done = true;
    this.onIdle();
  }
}
