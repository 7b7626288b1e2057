// The side navigation, and what each role sees of it.

import type { MsgKey } from './i18n';
import type { Screen } from './state.svelte';
import type { AppStatus } from './types';

export interface NavItem {
  screen: Screen;
  id: string;
  key: MsgKey;
  /** The screen records something: not shown to the read-only role. */
  writes?: boolean;
  /** An office screen (dashboard, anomalies, settlement): shown to the secretariat only. */
  office?: true;
}

/** The navigation, in Alt+number order (see `navFor`). */
export const NAV: NavItem[] = [
  { screen: 'members', id: 'nav-members', key: 'nav.members' },
  { screen: 'register', id: 'nav-register', key: 'nav.register', writes: true },
  { screen: 'delivery', id: 'nav-delivery', key: 'nav.delivery', writes: true },
  { screen: 'fertilizer', id: 'nav-fertilizer', key: 'nav.fertilizer', writes: true },
  { screen: 'collection', id: 'nav-collection', key: 'nav.collection' },
  { screen: 'cash', id: 'nav-cash', key: 'nav.cash' },
  { screen: 'sync', id: 'nav-sync', key: 'nav.sync' },
  { screen: 'dashboard', id: 'nav-dashboard', key: 'nav.dashboard', office: true },
  { screen: 'anomalies', id: 'nav-anomalies', key: 'nav.anomalies', office: true },
  { screen: 'settlement', id: 'nav-settlement', key: 'nav.settlement', office: true },
  { screen: 'finance', id: 'nav-finance', key: 'nav.finance', office: true },
  // Last, so that the Alt+number of every screen before it stays as it was.
  { screen: 'device', id: 'nav-device', key: 'nav.device' },
];

/**
 * The navigation a role sees: the read-only role (board, lender) has no screen that records;
 * the office screens are the secretariat's (`may_configure`), never shown before the status is known.
 */
export function navFor(status: AppStatus | null): NavItem[] {
  const mayWrite = status?.may_write ?? true;
  const office = status?.may_configure ?? false;
  return NAV.filter((item) => (mayWrite || !item.writes) && (office || !item.office));
}

