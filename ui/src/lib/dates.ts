// Dates as the office writes them: dd/mm/yyyy on screen whatever the system's locale (an
// `<input type="date">` follows it: 01/15/2027 in an en-US WebKit), ISO yyyy-mm-dd (what Rust
// takes) everywhere else. Pure functions; the messages are `checkDate`'s in validate.ts, and
// `DateField.svelte` is the one control that uses them.

/** Why a typed date is not one. */
export type DateProblem =
  | { kind: 'format' }
  | { kind: 'month'; month: string }
  | { kind: 'day'; date: string; days: number }
  | { kind: 'year'; year: string };

/** A typed date read: its ISO form ("" for an empty text), or what is wrong with it. */
export type ParsedDate = { iso: string } | { problem: DateProblem };

const pad = (n: number) => String(n).padStart(2, '0');

/** The earliest year a date may have (no campaign is older). */
export const FIRST_YEAR = 2000;

/** dd/mm/yyyy of an ISO date ("2027-01-15" → "15/01/2027"); "" stays "", other text as given. */
export function isoToDmy(iso: string | null | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec((iso ?? '').trim());
  return m ? `${m[3]}/${m[2]}/${m[1]}` : (iso ?? '');
}

/**
 * Reads a date typed day first: `15/01/2027`, `1/2/2027`, `15.01.2027`, `15-01-2027`,
 * `15 01 2027` or `15012027`; an ISO `2027-01-15` (pasted) is read as such. The year has four
 * digits; the day must exist in its month (no 31/02, 29/02 only in a leap year).
 */
export function parseDate(text: string): ParsedDate {
  const t = (text ?? '').trim();
  if (t === '') return { iso: '' };
  let d: string;
  let m: string;
  let y: string;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  const dmy = /^(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{4})$/.exec(t);
  const packed = /^(\d{2})(\d{2})(\d{4})$/.exec(t);
  if (iso) [y, m, d] = [iso[1], iso[2], iso[3]];
  else if (dmy) [d, m, y] = [dmy[1], dmy[2], dmy[3]];
  else if (packed) [d, m, y] = [packed[1], packed[2], packed[3]];
  else return { problem: { kind: 'format' } };
  const [day, month, year] = [Number(d), Number(m), Number(y)];
  if (year < FIRST_YEAR) return { problem: { kind: 'year', year: y } };
  if (month < 1 || month > 12) return { problem: { kind: 'month', month: pad(month) } };
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > days) {
    return { problem: { kind: 'day', date: `${pad(day)}/${pad(month)}/${year}`, days } };
  }
  return { iso: `${year}-${pad(month)}-${pad(day)}` };
}

/**
 * The value a date field hands to its screen for a text: the ISO date, "" when empty, or the
 * text as typed when it is no date (so the screen's validation refuses it).
 */
export function dateValue(text: string): string {
  const p = parseDate(text);
  return 'iso' in p ? p.iso : text;
}
