import { describe, expect, it } from 'vitest';
import { pillFor } from './pill';
import type { SyncStatus } from './types';

const sync = (enrolled: boolean, pending: number, conflicts: number, office = false, behind = 0): SyncStatus =>
  ({
    enrolled,
    hub_url: null,
    last_sync_at: null,
    pending_changes: pending,
    open_conflicts: conflicts,
    office,
    devices_behind: behind,
  }) as SyncStatus;

describe('the sync pill', () => {
  it('says conflicts first, on any store', () => {
    expect(pillFor(sync(false, 0, 1, true, 2))).toEqual({ key: 'pill.conflicts', params: { n: 1 }, tone: 'warn' });
  });
  it('says the office for the store that is the hub, with the laptops that lack something', () => {
    expect(pillFor(sync(false, 0, 0, true, 0))).toEqual({ key: 'pill.office', tone: 'office' });
    expect(pillFor(sync(false, 0, 0, true, 2))).toEqual({ key: 'pill.officeBehind', params: { n: 2 }, tone: 'office' });
  });
  it('counts what waits on a field laptop, enrolled or not', () => {
    expect(pillFor(sync(true, 12, 0))).toEqual({ key: 'pill.pending', params: { n: 12 }, tone: 'pending' });
    expect(pillFor(sync(false, 3, 0))).toEqual({ key: 'pill.pending', params: { n: 3 }, tone: 'pending' });
  });
  it('is up to date with nothing waiting, unknown before the first answer', () => {
    expect(pillFor(sync(true, 0, 0)).key).toBe('pill.synced');
    expect(pillFor(null).key).toBe('pill.unknown');
  });
});
