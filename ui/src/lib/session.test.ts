// The session's life in the UI state: gate → open → locked, with a stubbed Tauri.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  app,
  loadVault,
  lockSession,
  openSession,
  recoveryNoted,
  sessionReady,
  switchLang,
} from './state.svelte';
import { call } from './ipc';
import type { AppStatus, VaultStatus } from './types';

const STATUS = {
  initialized: true,
  union_name: 'Union',
  agent_name: 'Awa Traoré',
  role: 'field_agent',
  role_label: 'Agent',
  device_label: 'PC',
  may_approve: false,
  may_write: true,
  may_configure: false,
  lang: 'fr',
  campaigns: [],
  today: '2026-11-23',
  receipts_dir: '/tmp',
  encrypted: true,
  account_label: 'Awa',
  idle_lock_minutes: 10,
} as AppStatus;

const vault = (state: string): VaultStatus => ({
  state,
  accounts: [{ id: 'a1', label: 'Awa', agent_id: null, agent_name: null, role_label: null }],
  store_path: '/home/awa/.local/share/sene/sene.sqlite',
  problem: null,
});

type Handler = (args: { req?: unknown }) => unknown;
let handlers: Record<string, Handler>;
let calls: string[];

beforeEach(() => {
  calls = [];
  handlers = {
    vault_status: () => vault('locked'),
    lock: () => vault('locked'),
    app_status: () => STATUS,
    sync_status: () => ({ enrolled: false, hub_url: null, last_sync_at: null, pending_changes: 0, open_conflicts: 0, office: false, devices_behind: 0 }),
  };
  vi.stubGlobal('window', {
    __TAURI_INTERNALS__: {
      invoke: async (cmd: string, args: { req?: unknown }) => {
        calls.push(cmd);
        const h = handlers[cmd];
        if (!h) throw { code: 'internal', message: `no ${cmd}`, field: null };
        return h(args ?? {});
      },
    },
  });
  vi.stubGlobal('document', { documentElement: { lang: '' }, querySelector: () => null });
  app.vault = null;
  app.vaultError = null;
  app.recoveryKey = null;
  app.status = null;
  app.lockedBy = null;
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the session in the window', () => {
  it('shows the gate until a session opens', async () => {
    await loadVault();
    expect(app.vault?.state).toBe('locked');
    expect(app.status).toBeNull();
    expect(sessionReady()).toBe(false);
    expect(calls).toEqual(['vault_status']);
  });

  it('a session already open (the page reloaded) asks the status', async () => {
    handlers.vault_status = () => vault('open');
    await loadVault();
    expect(app.status?.agent_name).toBe('Awa Traoré');
    expect(sessionReady()).toBe(true);
  });

  it('keeps the app shut while the recovery key is on screen', async () => {
    app.vault = vault('new');
    await openSession(STATUS, 'ABCD-EFGH');
    expect(app.recoveryKey).toBe('ABCD-EFGH');
    expect(sessionReady()).toBe(false);
    await recoveryNoted();
    expect(app.recoveryKey).toBeNull();
    expect(sessionReady()).toBe(true);
  });

  it('locking forgets what was on screen and shows the sign-in', async () => {
    app.vault = vault('locked');
    await openSession(STATUS);
    app.screen = 'delivery';
    app.memberId = 'm1';
    app.query = 'awa';
    app.saved = 'Enregistré';
    await lockSession('idle');
    expect(calls).toContain('lock');
    expect(app.status).toBeNull();
    expect(app.vault?.state).toBe('locked');
    expect(app.lockedBy).toBe('idle');
    expect([app.screen, app.memberId, app.query, app.saved]).toEqual(['members', null, '', null]);
    expect(sessionReady()).toBe(false);
  });

  it('a command that finds the session closed brings the gate back', async () => {
    app.vault = vault('locked');
    await openSession(STATUS);
    handlers.search_members = () => {
      throw { code: 'locked', message: "l'application est verrouillée : connectez-vous", field: null };
    };
    await expect(call('search_members', { query: 'a', cooperative_id: null })).rejects.toMatchObject({ code: 'locked' });
    expect(app.status).toBeNull();
    expect(sessionReady()).toBe(false);
    await vi.waitFor(() => expect(calls).toContain('vault_status'));
  });

  it('drops a start-up answer that comes after a sign-in', async () => {
    let answer!: (v: VaultStatus) => void;
    handlers.vault_status = () => new Promise<VaultStatus>((r) => (answer = r));
    app.vault = vault('locked');
    const pending = loadVault();
    await vi.waitFor(() => expect(answer).toBeDefined());
    await openSession(STATUS);
    answer(vault('locked'));
    await pending;
    expect(sessionReady()).toBe(true);
    expect(app.status).not.toBeNull();
  });

  it('switches the language at the gate without asking Rust', async () => {
    app.vault = vault('locked');
    expect(await switchLang('en')).toBeNull();
    expect(app.lang).toBe('en');
    expect(calls).not.toContain('set_lang');
    app.lang = 'fr';
  });
});

describe('the language chosen at the gate', () => {
  it('is kept once signed in', async () => {
    handlers.set_lang = ({ req }) => ({ ...STATUS, lang: (req as { lang: string }).lang });
    app.vault = vault('locked');
    await switchLang('en');
    await openSession(STATUS); // the store says fr
    await vi.waitFor(() => expect(calls).toContain('set_lang'));
    await vi.waitFor(() => expect(app.lang).toBe('en'));
    app.lang = 'fr';
  });
});

describe('the language Rust speaks', () => {
  it('follows the labels only once Rust has answered', async () => {
    let answer: (s: AppStatus) => void = () => {};
    handlers.set_lang = () =>
      new Promise<AppStatus>((resolve) => {
        answer = resolve;
      });
    await openSession(STATUS);
    expect(app.told).toBe('fr');
    const switched = switchLang('en');
    // the labels switch at once; a screen asking Rust now would still get French
    expect(app.lang).toBe('en');
    expect(app.told).toBe('fr');
    await vi.waitFor(() => expect(calls).toContain('set_lang'));
    answer({ ...STATUS, lang: 'en' });
    expect(await switched).toBeNull();
    expect(app.told).toBe('en');
    app.lang = 'fr';
    app.told = 'fr';
  });
});
