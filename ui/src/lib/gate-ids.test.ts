// The ids the desktop's WebDriver tests use on the gate, the header and the device screen,
// drawn by Svelte's server renderer (no DOM here: effects do not run, markup only).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render } from 'svelte/server';
import App from '../App.svelte';
import Gate from '../screens/Gate.svelte';
import Device from '../screens/Device.svelte';
import { app } from './state.svelte';
import type { AppStatus, VaultStatus } from './types';

const vault = (state: string, accounts = 1): VaultStatus => ({
  state,
  accounts: Array.from({ length: accounts }, (_, i) => ({
    id: `acc-${i + 1}`,
    label: `Agent ${i + 1}`,
    agent_id: null,
    agent_name: null,
    role_label: null,
  })),
  store_path: '/home/awa/.local/share/sene/sene.sqlite',
  problem: state === 'unreadable' ? 'ce fichier n’est pas une base Sene' : null,
});

const STATUS = {
  initialized: true,
  union_name: 'Union',
  agent_name: 'Awa Traoré',
  role: 'secretariat',
  role_label: 'Secrétariat',
  device_label: 'PC',
  may_approve: true,
  may_write: true,
  may_configure: true,
  lang: 'fr',
  campaigns: [],
  today: '2026-11-23',
  receipts_dir: '/tmp',
  encrypted: true,
  account_label: 'Awa',
  idle_lock_minutes: 10,
} as AppStatus;

const ids = (html: string) => [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);

beforeEach(() => {
  vi.stubGlobal('document', { documentElement: { lang: '' }, querySelector: () => null });
  app.vault = null;
  app.vaultError = null;
  app.recoveryKey = null;
  app.status = null;
  app.lockedBy = null;
  app.lang = 'fr';
});
afterEach(() => vi.unstubAllGlobals());

describe('the gate draws, by state', () => {
  it('new: the first passphrase', () => {
    app.vault = vault('new', 0);
    const html = render(Gate).body;
    expect(ids(html)).toEqual(expect.arrayContaining(['gate', 'vault-label', 'vault-passphrase', 'vault-confirm', 'vault-create']));
    expect(ids(html)).not.toContain('vault-encrypt');
    expect(html).toContain('un code PIN de chiffres seuls doit en compter 12');
  });

  it('plain: the same form, to encrypt', () => {
    app.vault = vault('plain', 0);
    const found = ids(render(Gate).body);
    expect(found).toEqual(expect.arrayContaining(['gate', 'vault-label', 'vault-passphrase', 'vault-confirm', 'vault-encrypt']));
    expect(found).not.toContain('vault-create');
  });

  it('locked: the sign-in, one option per account', () => {
    app.vault = vault('locked', 2);
    const html = render(Gate).body;
    expect(ids(html)).toEqual(expect.arrayContaining(['gate', 'signin-account', 'signin-passphrase', 'signin-submit', 'show-recover']));
    expect(html).toContain('<option value="acc-1">Agent 1</option>');
    expect(html).toContain('<option value="acc-2">Agent 2</option>');
    expect(html).toMatch(/<option value=""[^>]*>— Choisir —<\/option>/);
  });

  it('unreadable: the problem and the path, nothing to do', () => {
    app.vault = vault('unreadable', 0);
    const html = render(Gate).body;
    expect(html).toContain('ce fichier n’est pas une base Sene');
    expect(html).toContain('/home/awa/.local/share/sene/sene.sqlite');
    expect(html).not.toContain('<button');
    expect(html).not.toContain('<input');
  });

  it('the recovery key, exactly, and continue shut until noted', () => {
    app.vault = vault('open');
    app.status = STATUS;
    app.recoveryKey = 'ABCD-EFGH-JKMN-PQRS-TVWX-YZ23-4567-89AB-CDEF-GHJK-MNPQ-RSTV-WXYZ-2345';
    const html = render(Gate).body;
    expect(html).toContain(`<p id="recovery-key" class="recovery-key">${app.recoveryKey}</p>`);
    expect(ids(html)).toEqual(expect.arrayContaining(['recovery-noted', 'recovery-continue', 'recovery-print']));
    expect(html).toMatch(/<button id="recovery-continue"[^>]*disabled/);
  });

  it('no Tauri: the error and a retry', () => {
    app.vaultError = { code: 'no_tauri', message: "Cette page ne fonctionne que dans l'application Sene", field: null };
    const html = render(Gate).body;
    expect(html).toContain('class="error"');
    expect(html).toContain('application Sene');
  });
});

describe('the window once signed in', () => {
  it('the header says who, and locks', () => {
    app.vault = vault('open');
    app.status = STATUS;
    const html = render(App).body;
    expect(html).toContain('<span id="signed-in-as">Awa</span>');
    expect(ids(html)).toContain('lock-now');
    expect(ids(html)).toContain('nav-device');
    expect(ids(html)).not.toContain('gate');
  });

  it('nothing of the app before sign-in', () => {
    app.vault = vault('locked');
    const found = ids(render(App).body);
    expect(found).toContain('gate');
    for (const id of ['lock-now', 'signed-in-as', 'nav-members', 'sync-pill']) expect(found).not.toContain(id);
  });

  it('the device screen: the add form and the idle lock for the secretariat', () => {
    app.vault = vault('open');
    app.status = STATUS;
    const found = ids(render(Device).body);
    expect(found).toEqual(expect.arrayContaining(['account-agent', 'account-passphrase', 'account-confirm', 'account-add', 'idle-minutes', 'idle-save']));
    app.status = { ...STATUS, may_configure: false, role: 'field_agent' };
    const agent = ids(render(Device).body);
    expect(agent).toEqual(expect.arrayContaining(['idle-minutes', 'idle-save']));
    expect(agent).not.toContain('account-add');
  });
});
