import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleTimer } from './idle';

const MIN = 60_000;

describe('the idle lock', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-11-23T08:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function timer(minutes: number) {
    const onIdle = vi.fn();
    const t = new IdleTimer({ minutes, onIdle, now: () => Date.now() });
    t.start();
    return { t, onIdle };
  }

  it('fires once the delay has passed without activity', () => {
    const { t, onIdle } = timer(10);
    vi.advanceTimersByTime(10 * MIN);
    expect(onIdle).toHaveBeenCalledTimes(1);
    expect(t.fired).toBe(true);
  });

  it('does not fire before the delay', () => {
    const { onIdle } = timer(10);
    vi.advanceTimersByTime(10 * MIN - 1);
    expect(onIdle).not.toHaveBeenCalled();
  });

  it('starts the count again on activity', () => {
    const { t, onIdle } = timer(10);
    vi.advanceTimersByTime(9 * MIN);
    t.activity();
    vi.advanceTimersByTime(9 * MIN);
    expect(onIdle).not.toHaveBeenCalled();
    t.activity();
    vi.advanceTimersByTime(10 * MIN - 1);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('fires only once, whatever comes after', () => {
    const { t, onIdle } = timer(1);
    vi.advanceTimersByTime(5 * MIN);
    t.activity();
    vi.advanceTimersByTime(5 * MIN);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('never fires at 0 minutes (off)', () => {
    const { t, onIdle } = timer(0);
    expect(t.enabled).toBe(false);
    vi.advanceTimersByTime(24 * 60 * MIN);
    t.activity();
    expect(onIdle).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fires on the first activity after a late timer (a laptop woken from sleep)', () => {
    const onIdle = vi.fn();
    let now = 0;
    const t = new IdleTimer({ minutes: 10, onIdle, now: () => now, timers: { set: () => 1, clear: () => {} } });
    t.start();
    now = 3 * 60 * MIN; // three hours asleep: the timer never ran
    t.activity();
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('stops for good', () => {
    const { t, onIdle } = timer(10);
    t.stop();
    vi.advanceTimersByTime(20 * MIN);
    t.activity();
    expect(onIdle).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps a single timer however much the mouse moves', () => {
    const { t } = timer(10);
    for (let i = 0; i < 1000; i++) {
      vi.advanceTimersByTime(100);
      t.activity();
    }
    expect(vi.getTimerCount()).toBe(1);
  });
});
