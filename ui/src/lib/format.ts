// Display formatting: money, weights, percents, dates, amounts in French words.
//
// The UI never computes money: it only *formats* the strings Rust sends.
//
// Separator choice (documented on purpose, kept consistent everywhere):
// digit groups and the space before a unit use U+00A0 NO-BREAK SPACE, exactly
// like the Rust side (`crates/domain/src/words.rs`), so a figure on screen and
// the same figure on the PDF receipt are the same string. The decimal
// separator is a comma. Negative values start with HYPHEN-MINUS "-".
//
// `frenchWords` / `amountInWords` are a line-by-line port of
// `number_in_french_words` / `fcfa_in_words` in words.rs (traditional
// spelling, the 1990 reform is NOT applied). Keep them in step.

/** U+00A0 NO-BREAK SPACE: between digit groups and before units. */
export const NBSP = '\u00a0';

const INT_RE = /^-?\d+$/;
const DEC_RE = /^-?\d+(\.\d+)?$/;

/** Groups a string of ASCII digits (no sign) by three with NBSP. */
function groupDigits(digits: string): string {
  const stripped = digits.replace(/^0+(?=\d)/, '');
  let out = '';
  const len = stripped.length;
  for (let i = 0; i < len; i++) {
    if (i > 0 && (len - i) % 3 === 0) out += NBSP;
    out += stripped[i];
  }
  return out;
}

/** `"200000"` → `"200 000"`, `"-1500"` → `"-1 500"` (NBSP). Non-integers are returned trimmed, unchanged. */
export function groupThousands(value: string | number | bigint): string {
  const s = String(value).trim();
  if (!INT_RE.test(s)) return s;
  const neg = s.startsWith('-');
  const grouped = groupDigits(neg ? s.slice(1) : s);
  return neg && grouped !== '0' ? `-${grouped}` : grouped;
}

/**
 * A whole-franc amount as sent by Rust: `"200000"` → `"200 000 FCFA"`,
 * `"-15000"` → `"-15 000 FCFA"` (NBSP). Input that is not a whole number is
 * shown as is (never rounded here).
 */
export function formatMoney(value: string | number | bigint | null | undefined): string {
  if (value === null || value === undefined || String(value).trim() === '') return '—';
  return `${groupThousands(value)}${NBSP}FCFA`;
}

/**
 * A whole-franc amount in a table whose column header carries the unit: `"-15000"` →
 * `"-15 000"` (NBSP); the table stays narrow enough for a laptop's screen.
 */
export function formatFrancs(value: string | number | bigint | null | undefined): string {
  if (value === null || value === undefined || String(value).trim() === '') return '—';
  return groupThousands(value);
}

/** Groups the integer part and writes the fraction with a comma. */
function formatDecimal(value: string, minDecimals: number): string {
  const s = value.trim();
  if (!DEC_RE.test(s)) return s;
  const neg = s.startsWith('-');
  const [intPart, fracRaw = ''] = (neg ? s.slice(1) : s).split('.');
  let frac = fracRaw.replace(/0+$/, '');
  while (frac.length < minDecimals) frac += '0';
  const grouped = groupDigits(intPart);
  const isZero = /^0*$/.test(intPart) && /^0*$/.test(frac);
  const body = frac.length > 0 ? `${grouped},${frac}` : grouped;
  return neg && !isZero ? `-${body}` : body;
}

/**
 * A weight in kg: `"1234.5"` → `"1 234,5 kg"`, `"1000"` → `"1 000,0 kg"`.
 * Like the Rust receipts, always at least one decimal; trailing zeros beyond
 * the first decimal are dropped, never rounded.
 */
export function formatKg(value: string | number | null | undefined): string {
  if (value === null || value === undefined || String(value).trim() === '') return '—';
  return `${formatDecimal(String(value), 1)}${NBSP}kg`;
}

/** A plain quantity with French separators and no unit: `"1234.5"` → `"1 234,5"`. */
export function formatNumber(value: string | number): string {
  return formatDecimal(String(value), 0);
}

/** A percentage in points: `"14.5"` → `"14,5 %"`. */
export function formatPercent(value: string | number | null | undefined): string {
  if (value === null || value === undefined || String(value).trim() === '') return '—';
  return `${formatDecimal(String(value), 0)}${NBSP}%`;
}

/** A share given as a fraction: `"0.6"` → `"60 %"`. String arithmetic only (no float). */
export function formatShare(value: string): string {
  const s = value.trim();
  if (!/^\d+(\.\d+)?$/.test(s)) return s;
  const [i, f = ''] = s.split('.');
  const padded = (f + '00').slice(0, 2);
  const rest = f.slice(2);
  const points = `${BigInt(i + padded)}${rest ? '.' + rest : ''}`;
  return formatPercent(points);
}

/** `"2026-11-23"` → `"23/11/2026"`; a date-time also gets `HH:MM` (as written, no time zone shift). */
export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/.exec(value.trim());
  if (!m) return value;
  const date = `${m[3]}/${m[2]}/${m[1]}`;
  return m[4] ? `${date} ${m[4]}:${m[5]}` : date;
}

/** True when the money string is above zero ("150000"; not "0", "-5", "" or null). */
export function isPositive(value: string | null | undefined): boolean {
  return typeof value === 'string' && /^\s*\+?\s*\d*[1-9]/.test(value);
}

/** True when the money string is negative (a debt). */
export function isNegative(value: string | null | undefined): boolean {
  return typeof value === 'string' && /^\s*-\s*\d*[1-9]/.test(value);
}

// ---------------------------------------------------------------------------
// French number words (port of crates/domain/src/words.rs)

const UNITS = [
  'zéro', 'un', 'deux', 'trois', 'quatre', 'cinq', 'six', 'sept', 'huit', 'neuf', 'dix', 'onze',
  'douze', 'treize', 'quatorze', 'quinze', 'seize', 'dix-sept', 'dix-huit', 'dix-neuf',
];
const TENS = ['', '', 'vingt', 'trente', 'quarante', 'cinquante', 'soixante'];
const SCALES = ['', '', 'million', 'milliard', 'billion', 'billiard', 'trillion'];

/** Largest value written in words (u64::MAX, as in Rust). */
export const WORDS_MAX = 18446744073709551615n;

function belowHundred(n: number, isFinal: boolean): string {
  n = n % 100;
  if (n < 20) return UNITS[n];
  const tens = Math.floor(n / 10);
  const units = n % 10;
  if (tens >= 2 && tens <= 6) {
    if (units === 0) return TENS[tens];
    if (units === 1) return `${TENS[tens]} et un`;
    return `${TENS[tens]}-${UNITS[units]}`;
  }
  if (tens === 7) {
    return units === 1 ? 'soixante et onze' : `soixante-${UNITS[10 + units]}`;
  }
  if (tens === 8) {
    if (units === 0) return isFinal ? 'quatre-vingts' : 'quatre-vingt';
    return `quatre-vingt-${UNITS[units]}`;
  }
  return `quatre-vingt-${UNITS[10 + units]}`;
}

function belowThousand(n: number, isFinal: boolean): string {
  n = n % 1000;
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  const restWords = rest === 0 ? null : belowHundred(rest, isFinal);
  if (hundreds === 0) return restWords ?? '';
  if (hundreds === 1) return restWords ? `cent ${restWords}` : 'cent';
  if (restWords) return `${UNITS[hundreds]} cent ${restWords}`;
  return `${UNITS[hundreds]} cent${isFinal ? 's' : ''}`;
}

function toBigInt(n: bigint | number): bigint {
  if (typeof n === 'bigint') return n;
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a safe integer: ${n}`);
  return BigInt(n);
}

/**
 * A non-negative integer (0 ≤ n ≤ 2⁶⁴−1) as a French cardinal in words,
 * traditional spelling: `200000` → `"deux cent mille"`, `80` →
 * `"quatre-vingts"`, `2500000` → `"deux millions cinq cent mille"`.
 */
export function frenchWords(n: bigint | number): string {
  const value = toBigInt(n);
  if (value < 0n || value > WORDS_MAX) throw new RangeError(`out of range: ${value}`);
  if (value === 0n) return UNITS[0];
  const groups: number[] = [];
  let rest = value;
  for (let i = 0; i < 7; i++) {
    groups.push(Number(rest % 1000n));
    rest /= 1000n;
  }
  const parts: string[] = [];
  for (let pos = 6; pos >= 0; pos--) {
    const g = groups[pos];
    if (g === 0) continue;
    if (pos === 0) {
      parts.push(belowThousand(g, true));
    } else if (pos === 1) {
      parts.push(g === 1 ? 'mille' : `${belowThousand(g, false)} mille`);
    } else {
      parts.push(`${belowThousand(g, true)} ${SCALES[pos]}${g > 1 ? 's' : ''}`);
    }
  }
  return parts.join(' ');
}

/**
 * An amount of francs CFA in words, for receipts and confirmations:
 * `"200000"` → `"deux cent mille francs CFA"`, `"1"` → `"un franc CFA"`,
 * `"1000000"` → `"un million de francs CFA"`, `"-2500"` → `"moins deux mille
 * cinq cents francs CFA"`. Beyond 2⁶⁴−1 the digits are grouped instead.
 * Returns `""` for input that is not a whole number of francs.
 */
export function amountInWords(amount: string | number | bigint): string {
  const s = String(amount).trim().replace(/[\s\u00a0\u202f]/g, '');
  if (!INT_RE.test(s)) return '';
  const v = BigInt(s);
  const sign = v < 0n ? 'moins ' : '';
  const abs = v < 0n ? -v : v;
  if (abs > WORDS_MAX) return `${sign}${groupDigits(abs.toString())} francs CFA`;
  const words = frenchWords(abs);
  const unit = abs <= 1n ? 'franc' : 'francs';
  const de = abs !== 0n && abs % 1000000n === 0n ? 'de ' : '';
  return `${sign}${words} ${de}${unit} CFA`;
}
