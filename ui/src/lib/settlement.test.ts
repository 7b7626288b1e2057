import { describe, expect, it } from 'vitest';
import { ariaSort, filterLines, fold, francs, inDebt, nextSort, review, sortLines } from './settlement';
import type { SettlementLineView } from './types';

function line(number: string, name: string, cooperative: string, value: string, net: string, debt = '0'): SettlementLineView {
  return {
    member_id: `id-${number}`,
    number,
    name,
    cooperative,
    committed_kg: '1000',
    accepted_kg: '900',
    delivered_value: value,
    advances: '0',
    fees: '0',
    fertilizer_credit: '0',
    carried_debt: '0',
    complement: '0',
    net,
    paid: '0',
    remaining: net,
    debt,
  };
}

const LINES = [
  line('K-010', 'Aminata Traoré', 'Coop de Kayo', '450000', '250000'),
  line('K-002', 'Moussa Diarra', 'Coop de Kayo', '90000', '-15000', '15000'),
  line('N-001', 'Fatoumata Coulibaly', 'Niono Sud', '1200000', '1000000'),
  line('K-001', 'Seydou Koné', 'Coop de Kayo', '0', '-80000', '80000'),
  line('N-011', 'Awa Sangaré', 'Niono Sud', '450000', '300000'),
];

const ids = (ls: SettlementLineView[]) => ls.map((l) => l.number);

describe('fold', () => {
  it('ignores accents, case and extra spaces', () => {
    expect(fold('  Traoré  ÉLISE ')).toBe('traore elise');
    expect(fold('Sangaré')).toBe(fold('SANGARE'));
    expect(fold('Niono\u00a0Sud')).toBe('niono sud');
  });
});

describe('francs / inDebt', () => {
  it('reads whole-franc strings exactly (no floats)', () => {
    expect(francs('-15000')).toBe(-15000n);
    expect(francs('18446744073709551617')).toBe(18446744073709551617n);
    expect(francs('')).toBe(0n);
    expect(francs('abc')).toBe(0n);
  });
  it('a member is in debt when the debt is above zero', () => {
    expect(LINES.filter(inDebt).map((l) => l.number)).toEqual(['K-002', 'K-001']);
  });
});

describe('filterLines', () => {
  it('matches name, number or cooperative, accent- and case-insensitive', () => {
    expect(ids(filterLines(LINES, 'traore'))).toEqual(['K-010']);
    expect(ids(filterLines(LINES, 'SANGARÉ'))).toEqual(['N-011']);
    expect(ids(filterLines(LINES, 'k-00'))).toEqual(['K-002', 'K-001']);
    expect(ids(filterLines(LINES, 'niono'))).toEqual(['N-001', 'N-011']);
  });
  it('every word must match somewhere', () => {
    expect(ids(filterLines(LINES, 'niono awa'))).toEqual(['N-011']);
    expect(ids(filterLines(LINES, 'kayo awa'))).toEqual([]);
  });
  it('an empty filter keeps everything', () => {
    expect(filterLines(LINES, '  ')).toHaveLength(LINES.length);
  });
});

describe('sortLines', () => {
  it('sorts numbers naturally and names alphabetically, both ways', () => {
    expect(ids(sortLines(LINES, { key: 'number', dir: 'asc' }))).toEqual(['K-001', 'K-002', 'K-010', 'N-001', 'N-011']);
    expect(ids(sortLines(LINES, { key: 'number', dir: 'desc' }))).toEqual(['N-011', 'N-001', 'K-010', 'K-002', 'K-001']);
    expect(ids(sortLines(LINES, { key: 'name', dir: 'asc' }))).toEqual(['K-010', 'N-011', 'N-001', 'K-002', 'K-001']);
  });
  it('sorts amounts as numbers, negatives first when ascending', () => {
    expect(ids(sortLines(LINES, { key: 'net', dir: 'asc' }))).toEqual(['K-001', 'K-002', 'K-010', 'N-011', 'N-001']);
    expect(ids(sortLines(LINES, { key: 'delivered_value', dir: 'desc' }))).toEqual(['N-001', 'K-010', 'N-011', 'K-002', 'K-001']);
  });
  it('keeps ties in the order Rust sent, and never changes its input', () => {
    const copy = [...LINES];
    expect(ids(sortLines(LINES, { key: 'cooperative', dir: 'asc' }))).toEqual(['K-010', 'K-002', 'K-001', 'N-001', 'N-011']);
    expect(LINES).toEqual(copy);
  });
});

describe('nextSort / ariaSort', () => {
  it('the same column flips; a text column starts ascending, an amount descending', () => {
    expect(nextSort({ key: 'name', dir: 'asc' }, 'name')).toEqual({ key: 'name', dir: 'desc' });
    expect(nextSort({ key: 'name', dir: 'desc' }, 'name')).toEqual({ key: 'name', dir: 'asc' });
    expect(nextSort({ key: 'name', dir: 'asc' }, 'cooperative')).toEqual({ key: 'cooperative', dir: 'asc' });
    expect(nextSort({ key: 'name', dir: 'asc' }, 'net')).toEqual({ key: 'net', dir: 'desc' });
  });
  it('tells assistive technology which column sorts', () => {
    expect(ariaSort({ key: 'net', dir: 'desc' }, 'net')).toBe('descending');
    expect(ariaSort({ key: 'net', dir: 'asc' }, 'net')).toBe('ascending');
    expect(ariaSort({ key: 'net', dir: 'asc' }, 'name')).toBe('none');
  });
});

describe('review', () => {
  it('puts the members in debt apart, filtered and sorted like the others', () => {
    const r = review(LINES, '', { key: 'number', dir: 'asc' });
    expect(ids(r.debts)).toEqual(['K-001', 'K-002']);
    expect(ids(r.others)).toEqual(['K-010', 'N-001', 'N-011']);
    const f = review(LINES, 'kayo', { key: 'net', dir: 'desc' });
    expect(ids(f.debts)).toEqual(['K-002', 'K-001']);
    expect(ids(f.others)).toEqual(['K-010']);
  });
});
