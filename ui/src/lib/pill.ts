// The sync pill of the header: what it says, and its tone.

import type { MsgKey, Params } from './i18n';
import type { SyncStatus } from './types';

export interface Pill {
  key: MsgKey;
  params?: Params;
  tone: 'unknown' | 'warn' | 'pending' | 'ok' | 'office';
}

/**
 * Conflicts first, then what waits to be sent. The union office's own store (Rust's
 * `SyncStatus.office`: the hub's store, the secretariat signed in) has nothing to send anywhere
 * — the laptops fetch from it — so it counts instead the laptops that lack something it holds.
 */
export function pillFor(sync: SyncStatus | null): Pill {
  if (!sync) return { key: 'pill.unknown', tone: 'unknown' };
  if (sync.open_conflicts > 0) return { key: 'pill.conflicts', params: { n: sync.open_conflicts }, tone: 'warn' };
  if (sync.office && sync.devices_behind > 0)
    return { key: 'pill.officeBehind', params: { n: sync.devices_behind }, tone: 'office' };
  if (sync.office) return { key: 'pill.office', tone: 'office' };
  if (sync.pending_changes > 0) return { key: 'pill.pending', params: { n: sync.pending_changes }, tone: 'pending' };
  return { key: 'pill.synced', tone: 'ok' };
}
