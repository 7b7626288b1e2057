import { describe, expect, it } from 'vitest';
import { call, hasTauri, toIpcError, WRITE_COMMANDS } from './ipc';
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
