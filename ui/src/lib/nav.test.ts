import { describe, expect, it } from 'vitest';
import { NAV, navFor } from './nav';
import type { AppStatus } from './types';

function status(role: string, mayWrite: boolean): AppStatus {
  return {
    initialized: true,
    union_name: 'Union',
    agent_name: 'Agent',
    role,
    role_label: role,
    device_label: 'PC',
    may_approve: false,
    may_write: mayWrite,
    may_configure: false,
    lang: 'fr',
    campaigns: [],
    today: '2026-11-23',
    receipts_dir: '/tmp',
  } as AppStatus;
}

describe('navFor', () => {
  it('shows every screen to a field agent', () => {
    expect(navFor(status('field_agent', true)).map((i) => i.id)).toEqual(NAV.map((i) => i.id));
  });

  it('hides the screens that record from the read-only role', () => {
    const ids = navFor(status('read_only', false)).map((i) => i.id);
    expect(ids).toEqual(['nav-members', 'nav-collection', 'nav-cash', 'nav-sync']);
    expect(ids).not.toContain('nav-register');
    expect(ids).not.toContain('nav-delivery');
    expect(ids).not.toContain('nav-fertilizer');
  });

  it('shows everything before the status is known (nothing is written without it anyway)', () => {
    expect(navFor(null)).toHaveLength(NAV.length);
  });
});
