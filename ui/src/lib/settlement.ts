// The settlement review's sorting, filtering and split (members in debt apart).
//
// Pure module: no Svelte state, no money computed — amounts are compared as the
// whole-franc strings Rust sends (BigInt, never floats), only to order the rows.

import type { SettlementLineView } from './types';

export type SortKey = 'number' | 'name' | 'cooperative' | 'delivered_value' | 'net';
export type SortDir = 'asc' | 'desc';
export interface Sort {
  key: SortKey;
  dir: SortDir;
}

/** The columns that sort, in table order. */
export const SORT_KEYS: readonly SortKey[] = ['number', 'name', 'cooperative', 'delivered_value', 'net'];

const MONEY_KEYS: ReadonlySet<SortKey> = new Set<SortKey>(['delivered_value', 'net']);

/**
 * Case- and accent-insensitive form of a text, like the member search on the Rust side:
 * "Traoré" and "TRAORE" both give "traore"; spaces are collapsed.
 */
export function fold(text: string): string {
  return (text ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\s\u00a0\u202f]+/g, ' ')
    .trim();
}

/** A whole-franc string as a BigInt ("-15000" → -15000n); anything else counts as 0. */
export function francs(value: string | null | undefined): bigint {
  const s = (value ?? '').trim();
  return /^-?\d+$/.test(s) ? BigInt(s) : 0n;
}

/** True when the line's debt is above zero. */
export function inDebt(line: SettlementLineView): boolean {
  return francs(line.debt) > 0n;
}

/** Lines whose number, name or cooperative contain every word of `query` (folded). */
export function filterLines(lines: readonly SettlementLineView[], query: string): SettlementLineView[] {
  const words = fold(query).split(' ').filter(Boolean);
  if (words.length === 0) return [...lines];
  return lines.filter((l) => {
    const hay = fold(`${l.number} ${l.name} ${l.cooperative}`);
    return words.every((w) => hay.includes(w));
  });
}

const collator = new Intl.Collator('fr', { sensitivity: 'base', numeric: true });

function compare(a: SettlementLineView, b: SettlementLineView, key: SortKey): number {
  if (MONEY_KEYS.has(key)) {
    const x = francs(a[key]);
    const y = francs(b[key]);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return collator.compare(fold(a[key]), fold(b[key]));
}

/** A sorted copy; ties keep the order Rust sent (stable), then by member number. */
export function sortLines(lines: readonly SettlementLineView[], sort: Sort): SettlementLineView[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return lines
    .map((line, i) => ({ line, i }))
    .sort((a, b) => sign * compare(a.line, b.line, sort.key) || a.i - b.i)
    .map((x) => x.line);
}

/** Clicking a column: the same column flips the direction; another starts ascending (amounts: largest first). */
export function nextSort(current: Sort, key: SortKey): Sort {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: MONEY_KEYS.has(key) ? 'desc' : 'asc' };
}

/** `aria-sort` for a column header. */
export function ariaSort(sort: Sort, key: SortKey): 'ascending' | 'descending' | 'none' {
  if (sort.key !== key) return 'none';
  return sort.dir === 'asc' ? 'ascending' : 'descending';
}

export interface Review {
  /** Members in debt (debt > 0), filtered and sorted. */
  debts: SettlementLineView[];
  /** Every other member, filtered and sorted. */
  others: SettlementLineView[];
}

/** The review tables: filter, split the members in debt apart, sort each part. */
export function review(lines: readonly SettlementLineView[], query: string, sort: Sort): Review {
  const shown = filterLines(lines, query);
  return {
    debts: sortLines(shown.filter(inDebt), sort),
    others: sortLines(
      shown.filter((l) => !inDebt(l)),
      sort,
    ),
  };
}
