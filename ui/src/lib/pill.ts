// The sync pill of the header: what it says, and its tone.

import type { MsgKey, Params } from './i18n';
import type { AppStatus, SyncStatus } from './types';

export interface Pill {
  key: MsgKey;
  params?: Params;
  tone: 'unknown' | 'warn' | 'pending' | 'ok' | 'office';
}

/**
 * Conflicts first, then what waits to be sent. The union office's own store (the secretariat's,
 * not enrolled with a hub: it *is* the hub) has nothing to send anywhere — the laptops fetch
 * from it — so it says so instead of counting every change as waiting.
 */
export function pillFor(sync: SyncStatus | null, status: AppStatus | null): Pill {
  if (!sync) return { key: 'pill.unknown', tone: 'unknown' };
  if (sync.open_conflicts > 0) return { key: 'pill.conflicts', params: { n: sync.open_conflicts }, tone: 'warn' };
  if (!sync.enrolled && status?.may_configure) return { key: 'pill.office', tone: 'office' };
  if (sync.pending_changes > 0) return { key: 'pill.pending', params: { n: sync.pending_changes }, tone: 'pending' };
  return { key: 'pill.synced', tone: 'ok' };
}
