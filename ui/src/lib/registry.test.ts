import { describe, expect, it } from 'vitest';
import {
  correctForm,
  correctionErrorPlace,
  departureErrorPlace,
  validateCorrection,
  validateDeparture,
} from './registry';
import type { MemberCard } from './types';

const card: MemberCard = {
  member: {
    id: 'm1',
    number: 'DIO-0042',
    full_name: 'Awa Traoré',
    village: 'Dioro',
    phone: '+22376123456',
    cooperative_id: 'c1',
    cooperative_name: 'Coopérative de Dioro',
    status: 'active',
    status_label: 'Actif',
    active: true,
    left_on: null,
  },
  sex: 'f',
  birth_year: 1980,
  crops: ['rice'],
  contracts: [],
  disbursements: [],
  payments: [],
  deliveries: [],
  distributions: [],
  balances: [],
  receipts: [],
  nina: null,
  registered_on: '2026-05-02',
  may_contract: true,
  may_depart: true,
  may_reinstate: false,
  moved_to: null,
  moved_from: null,
};

describe('the correction of a card', () => {
  it('starts from the card as it is, and finds nothing to correct there', () => {
    const f = correctForm(card);
    expect(f).toMatchObject({ number: 'DIO-0042', sex: 'F', birth_year: '1980', phone: '+22376123456' });
    const r = validateCorrection(f, card, 'fr', 2027);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.form).toContain('Rien n’a changé');
  });

  it('names only the fields that change, as Rust will store them', () => {
    const f = { ...correctForm(card), phone: '66 55 44 33', number: 'dio-0042 ' };
    const r = validateCorrection(f, card, 'fr', 2027);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.req).toEqual({ member_id: 'm1', phone: '+22366554433' });
    expect(r.value.changes).toEqual([
      { field: 'phone', label: 'Téléphone', old: '+22376123456', new: '+22366554433' },
    ]);
  });

  it('says a phone written the other way is no change', () => {
    const f = { ...correctForm(card), phone: '76 12 34 56' };
    expect(validateCorrection(f, card, 'en', 2027).ok).toBe(false);
  });

  it('clears a field with an empty value, shown as a dash', () => {
    const f = { ...correctForm(card), phone: '', birth_year: '' };
    const r = validateCorrection(f, card, 'en', 2027);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.req).toEqual({ member_id: 'm1', birth_year: '', phone: '' });
    expect(r.value.changes.map((c) => [c.label, c.old, c.new])).toEqual([
      ['Year of birth', '1980', '—'],
      ['Phone', '+22376123456', '—'],
    ]);
  });

  it('words the sex and the crops for people', () => {
    const f = { ...correctForm(card), sex: 'M', crops: ['shallot', 'rice'] };
    const r = validateCorrection(f, card, 'fr', 2027, (c) => ({ rice: 'Riz', shallot: 'Échalote' })[c] ?? c);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.req).toEqual({ member_id: 'm1', sex: 'm', crops: ['rice', 'shallot'] });
    expect(r.value.changes.map((c) => `${c.label}: ${c.old} → ${c.new}`)).toEqual([
      'Sexe: Femme → Homme',
      'Cultures: Riz → Riz, Échalote',
    ]);
  });

  it('refuses a bad value next to its field', () => {
    const f = { ...correctForm(card), phone: '12 34', full_name: ' ' };
    const r = validateCorrection(f, card, 'fr', 2027);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.phone).toContain('8 chiffres');
    expect(r.errors.full_name).toBeTruthy();
    expect(r.errors.form).toBeUndefined();
  });

  it('puts a refusal from Rust where it belongs', () => {
    expect(correctionErrorPlace({ code: 'invalid_value', message: 'x', field: 'téléphone' })).toBe('phone');
    expect(correctionErrorPlace({ code: 'invalid_value', message: 'x', field: 'motif' })).toBe('reason');
    expect(correctionErrorPlace({ code: 'duplicate_member_number', message: 'x', field: null })).toBe('number');
    expect(correctionErrorPlace({ code: 'rule_refused', message: 'rien à corriger', field: null })).toBe('form');
  });
});

describe('a departure or a transfer', () => {
  const base = { kind: 'deceased', on: '2027-01-10', reason: 'décédée en décembre', to_cooperative_id: '', new_number: '' };

  it('records a departure with its date and reason', () => {
    const r = validateDeparture(base, 'm1', 'fr');
    expect(r).toEqual({
      ok: true,
      value: { kind: 'depart', req: { member_id: 'm1', status: 'deceased', on: '2027-01-10', reason: 'décédée en décembre' } },
    });
  });

  it('asks what happens, when, and why', () => {
    const r = validateDeparture({ ...base, kind: '', on: '31/02/2027', reason: '' }, 'm1', 'fr');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.errors).sort()).toEqual(['kind', 'on', 'reason']);
  });

  it('a transfer needs the cooperative joined and the new number', () => {
    const t = { ...base, kind: 'transfer' };
    const bad = validateDeparture(t, 'm1', 'en');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(Object.keys(bad.errors).sort()).toEqual(['new_number', 'to_cooperative_id']);
    const ok = validateDeparture({ ...t, to_cooperative_id: 'c2', new_number: 'kon-0007' }, 'm1', 'en');
    expect(ok).toEqual({
      ok: true,
      value: {
        kind: 'transfer',
        req: { member_id: 'm1', to_cooperative_id: 'c2', new_number: 'KON-0007', on: '2027-01-10', reason: 'décédée en décembre' },
      },
    });
  });

  it('puts a refusal from Rust where it belongs', () => {
    expect(departureErrorPlace({ code: 'invalid_value', message: 'x', field: 'on' })).toBe('on');
    expect(departureErrorPlace({ code: 'invalid_value', message: 'x', field: 'numéro de membre' })).toBe('new_number');
    expect(departureErrorPlace({ code: 'duplicate_member_number', message: 'x', field: null })).toBe('new_number');
    expect(departureErrorPlace({ code: 'invalid_value', message: 'x', field: 'status' })).toBe('kind');
    expect(departureErrorPlace({ code: 'rule_refused', message: 'dans le futur', field: null })).toBe('form');
  });
});
