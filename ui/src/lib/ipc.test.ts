import { afterEach, describe, expect, it, vi } from 'vitest';
import { call, GATE_COMMANDS, hasTauri, setOnLocked, toIpcError, WRITE_COMMANDS } from './ipc';
import { translate } from './i18n';

describe('ipc', () => {
  it('outside Tauri, rejects at once with a clear message (no fake data)', async () => {
    expect(hasTauri()).toBe(false);
    await expect(call('app_status')).rejects.toEqual({
      code: 'no_tauri',
      message: translate('fr', 'err.noTauri'),
      field: null,
    });
  });
  it('keeps a Rust error as it is', () => {
    const e = { code: 'above_available', message: 'montant : trop', field: 'montant' };
    expect(toIpcError(e)).toEqual(e);
    expect(toIpcError({ code: 'internal', message: 'x' })).toEqual({ code: 'internal', message: 'x', field: null });
  });
  it('wraps anything else', () => {
    expect(toIpcError('panic')).toEqual({
      code: 'ipc_failure',
      message: translate('fr', 'err.ipc', { detail: 'panic' }),
      field: null,
    });
    expect(toIpcError(new Error('boom')).message).toContain('boom');
  });
  it('knows which commands write', () => {
    for (const c of ['disburse', 'record_delivery', 'distribute', 'reverse', 'register_member'] as const) {
      expect(WRITE_COMMANDS.has(c)).toBe(true);
    }
    for (const c of ['preview_delivery', 'check_member', 'member_card', 'receipt'] as const) {
      expect(WRITE_COMMANDS.has(c)).toBe(false);
    }
  });
});

describe('a closed session', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setOnLocked(() => {});
  });

  function fakeTauri(reject: unknown) {
    const invoke = vi.fn(async () => {
      throw reject;
    });
    vi.stubGlobal('window', { __TAURI_INTERNALS__: { invoke } });
    return invoke;
  }

  it('sends the window back to the gate when a command finds no session', async () => {
    const locked = vi.fn();
    setOnLocked(locked);
    fakeTauri({ code: 'locked', message: "l'application est verrouillée : connectez-vous", field: null });
    await expect(call('search_members', { query: 'awa', cooperative_id: null })).rejects.toMatchObject({ code: 'locked' });
    expect(locked).toHaveBeenCalledTimes(1);
  });

  it("not for the gate's own commands, nor for other errors", async () => {
    const locked = vi.fn();
    setOnLocked(locked);
    fakeTauri({ code: 'locked', message: 'x', field: null });
    await expect(call('sign_in', { account: 'a', passphrase: 'p' })).rejects.toMatchObject({ code: 'locked' });
    await expect(call('vault_status')).rejects.toMatchObject({ code: 'locked' });
    fakeTauri({ code: 'wrong_passphrase', message: 'x', field: null });
    await expect(call('app_status')).rejects.toMatchObject({ code: 'wrong_passphrase' });
    expect(locked).not.toHaveBeenCalled();
    for (const c of ['vault_status', 'create_vault', 'encrypt_store', 'sign_in', 'recover', 'lock'] as const) {
      expect(GATE_COMMANDS.has(c)).toBe(true);
    }
    expect(GATE_COMMANDS.has('list_accounts')).toBe(false);
  });
});
