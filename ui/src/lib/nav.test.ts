import { describe, expect, it } from 'vitest';
import { NAV, navFor } from './nav';
import type { AppStatus } from './types';

function status(role: string, mayWrite: boolean, mayConfigure = false): AppStatus {
  return {
    initialized: true,
    union_name: 'Union',
    agent_name: 'Agent',
    role,
    role_label: role,
    device_label: 'PC',
    may_approve: false,
    may_write: mayWrite,
    may_configure: mayConfigure,
    lang: 'fr',
    campaigns: [],
    today: '2026-11-23',
    receipts_dir: '/tmp',
    encrypted: true,
    account_label: 'Agent',
    idle_lock_minutes: 10,
  } as AppStatus;
}

const OFFICE = ['nav-dashboard', 'nav-anomalies', 'nav-settlement', 'nav-finance'];
const FIELD = ['nav-members', 'nav-register', 'nav-delivery', 'nav-fertilizer', 'nav-collection', 'nav-cash', 'nav-sync'];

describe('navFor', () => {
  it('shows every field screen to a field agent, and no office screen', () => {
    const ids = navFor(status('field_agent', true)).map((i) => i.id);
    expect(ids).toEqual([...FIELD, 'nav-device']);
    for (const id of OFFICE) expect(ids).not.toContain(id);
  });

  it('shows the three office screens to the secretariat, after the others', () => {
    const ids = navFor(status('secretariat', true, true)).map((i) => i.id);
    expect(ids).toEqual([...FIELD, ...OFFICE, 'nav-device']);
    expect(ids).toEqual(NAV.map((i) => i.id));
  });

  it('hides the screens that record, and the office screens, from the read-only role', () => {
    const ids = navFor(status('read_only', false)).map((i) => i.id);
    expect(ids).toEqual(['nav-members', 'nav-collection', 'nav-cash', 'nav-sync', 'nav-device']);
    expect(ids).not.toContain('nav-register');
    expect(ids).not.toContain('nav-delivery');
    expect(ids).not.toContain('nav-fertilizer');
    for (const id of OFFICE) expect(ids).not.toContain(id);
  });

  it('keeps the device screen last, so the Alt+number of the others does not move', () => {
    expect(NAV[NAV.length - 1].id).toBe('nav-device');
    expect(navFor(status('secretariat', true, true)).findIndex((i) => i.id === 'nav-dashboard')).toBe(7);
  });

  it('before the status is known: every field screen, no office screen', () => {
    expect(navFor(null).map((i) => i.id)).toEqual([...FIELD, 'nav-device']);
  });
});
