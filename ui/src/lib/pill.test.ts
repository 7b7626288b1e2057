import { describe, expect, it } from 'vitest';
import { pillFor } from './pill';
import type { AppStatus, SyncStatus } from './types';

const sync = (enrolled: boolean, pending: number, conflicts: number): SyncStatus =>
  ({ enrolled, hub_url: null, last_sync_at: null, pending_changes: pending, open_conflicts: conflicts }) as SyncStatus;
const status = (may_configure: boolean): AppStatus => ({ may_configure }) as AppStatus;

describe('the sync pill', () => {
  it('says conflicts first, on any store', () => {
    expect(pillFor(sync(false, 1130, 1), status(true))).toEqual({ key: 'pill.conflicts', params: { n: 1 }, tone: 'warn' });
  });
  it('says the office for the secretariat store that is the hub, not 1130 waiting', () => {
    expect(pillFor(sync(false, 1130, 0), status(true))).toEqual({ key: 'pill.office', tone: 'office' });
  });
  it('counts what waits on a field laptop, enrolled or not', () => {
    expect(pillFor(sync(true, 12, 0), status(false))).toEqual({ key: 'pill.pending', params: { n: 12 }, tone: 'pending' });
    expect(pillFor(sync(false, 3, 0), status(false))).toEqual({ key: 'pill.pending', params: { n: 3 }, tone: 'pending' });
    // a secretariat laptop enrolled with another hub counts too
    expect(pillFor(sync(true, 5, 0), status(true))).toEqual({ key: 'pill.pending', params: { n: 5 }, tone: 'pending' });
  });
  it('is up to date with nothing waiting, unknown before the first answer', () => {
    expect(pillFor(sync(true, 0, 0), status(false)).key).toBe('pill.synced');
    expect(pillFor(null, null).key).toBe('pill.unknown');
  });
});
