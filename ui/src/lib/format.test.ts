import { describe, expect, it } from 'vitest';
import {
  NBSP,
  amountInWords,
  formatDate,
  formatFrancs,
  formatKg,
  formatMoney,
  formatPercent,
  formatShare,
  frenchWords,
  groupThousands,
  isNegative,
  isPositive,
  WORDS_MAX,
} from './format';

// `⍽` in the expectations below stands for U+00A0 NO-BREAK SPACE.
const nb = (s: string) => s.replace(/⍽/g, NBSP);

describe('money', () => {
  it('groups francs by three with a no-break space', () => {
    expect(formatMoney('200000')).toBe(nb('200⍽000⍽FCFA'));
    expect(formatMoney('1234567')).toBe(nb('1⍽234⍽567⍽FCFA'));
    expect(formatMoney('999')).toBe(nb('999⍽FCFA'));
    expect(formatMoney('1000')).toBe(nb('1⍽000⍽FCFA'));
    expect(formatMoney('0')).toBe(nb('0⍽FCFA'));
  });
  it('drops the unit in tables whose header carries it', () => {
    expect(formatFrancs('1234567')).toBe(nb('1⍽234⍽567'));
    expect(formatFrancs('-15000')).toBe(nb('-15⍽000'));
    expect(formatFrancs('')).toBe('—');
    expect(formatFrancs(null)).toBe('—');
  });
  it('writes negative amounts (debts) with a leading minus', () => {
    expect(formatMoney('-15000')).toBe(nb('-15⍽000⍽FCFA'));
    expect(formatMoney('-50')).toBe(nb('-50⍽FCFA'));
    expect(formatMoney('-999')).toBe(nb('-999⍽FCFA'));
  });
  it('matches the Rust grouping of large values', () => {
    expect(groupThousands('170141183460469231731687303715884105728')).toBe(
      nb('170⍽141⍽183⍽460⍽469⍽231⍽731⍽687⍽303⍽715⍽884⍽105⍽728'),
    );
  });
  it('uses the same separator everywhere (U+00A0, not U+202F or a space)', () => {
    const s = formatMoney('1234567');
    expect(s).not.toContain(' ');
    expect(s).not.toContain('\u202f');
  });
  it('never rounds: a non-integer is shown as sent, empty as a dash', () => {
    expect(formatMoney('12.5')).toBe(nb('12.5⍽FCFA'));
    expect(formatMoney('')).toBe('—');
    expect(formatMoney(null)).toBe('—');
  });
  it('tells positives and negatives', () => {
    expect(isPositive('15000')).toBe(true);
    expect(isPositive('0')).toBe(false);
    expect(isPositive('000')).toBe(false);
    expect(isPositive('-15000')).toBe(false);
    expect(isPositive('')).toBe(false);
    expect(isPositive(null)).toBe(false);
    expect(isNegative('-15000')).toBe(true);
    expect(isNegative('15000')).toBe(false);
    expect(isNegative('0')).toBe(false);
    expect(isNegative('-0')).toBe(false);
  });
});

describe('weights, percents, dates', () => {
  it('formats kg with a comma and one decimal, like the receipts', () => {
    expect(formatKg('1234.5')).toBe(nb('1⍽234,5⍽kg'));
    expect(formatKg('1')).toBe(nb('1,0⍽kg'));
    expect(formatKg('0')).toBe(nb('0,0⍽kg'));
    expect(formatKg('-2.5')).toBe(nb('-2,5⍽kg'));
    expect(formatKg('-0.5')).toBe(nb('-0,5⍽kg'));
    expect(formatKg('1000.00')).toBe(nb('1⍽000,0⍽kg'));
    expect(formatKg('25000')).toBe(nb('25⍽000,0⍽kg'));
  });
  it('formats percents', () => {
    expect(formatPercent('14.5')).toBe(nb('14,5⍽%'));
    expect(formatPercent('2')).toBe(nb('2⍽%'));
    expect(formatShare('0.6')).toBe(nb('60⍽%'));
    expect(formatShare('0.625')).toBe(nb('62,5⍽%'));
    expect(formatShare('1')).toBe(nb('100⍽%'));
  });
  it('formats dates as DD/MM/YYYY', () => {
    expect(formatDate('2026-11-23')).toBe('23/11/2026');
    expect(formatDate('2027-01-05')).toBe('05/01/2027');
    expect(formatDate('2026-11-23T08:05:00Z')).toBe('23/11/2026 08:05');
    expect(formatDate(null)).toBe('—');
  });
});

describe('French number words (same as crates/domain/src/words.rs)', () => {
  // Copied from the Rust tests `words_required_examples` and `words_more_cases`.
  const cases: [number | bigint, string][] = [
    [0, 'zéro'],
    [1, 'un'],
    [16, 'seize'],
    [17, 'dix-sept'],
    [21, 'vingt et un'],
    [70, 'soixante-dix'],
    [71, 'soixante et onze'],
    [80, 'quatre-vingts'],
    [81, 'quatre-vingt-un'],
    [91, 'quatre-vingt-onze'],
    [100, 'cent'],
    [101, 'cent un'],
    [200, 'deux cents'],
    [201, 'deux cent un'],
    [1000, 'mille'],
    [1001, 'mille un'],
    [2000, 'deux mille'],
    [80_000, 'quatre-vingt mille'],
    [200_000, 'deux cent mille'],
    [1_000_000, 'un million'],
    [2_500_000, 'deux millions cinq cent mille'],
    [1_000_000_000, 'un milliard'],
    [
      123_456_789,
      'cent vingt-trois millions quatre cent cinquante-six mille sept cent quatre-vingt-neuf',
    ],
    [10, 'dix'],
    [11, 'onze'],
    [19, 'dix-neuf'],
    [20, 'vingt'],
    [22, 'vingt-deux'],
    [31, 'trente et un'],
    [41, 'quarante et un'],
    [51, 'cinquante et un'],
    [61, 'soixante et un'],
    [72, 'soixante-douze'],
    [77, 'soixante-dix-sept'],
    [90, 'quatre-vingt-dix'],
    [99, 'quatre-vingt-dix-neuf'],
    [180, 'cent quatre-vingts'],
    [280, 'deux cent quatre-vingts'],
    [300, 'trois cents'],
    [999, 'neuf cent quatre-vingt-dix-neuf'],
    [1100, 'mille cent'],
    [1200, 'mille deux cents'],
    [21_000, 'vingt et un mille'],
    [81_000, 'quatre-vingt-un mille'],
    [100_000, 'cent mille'],
    [180_000, 'cent quatre-vingt mille'],
    [200_200, 'deux cent mille deux cents'],
    [1_001_000, 'un million mille'],
    [80_000_000, 'quatre-vingts millions'],
    [200_000_000, 'deux cents millions'],
    [201_000_000, 'deux cent un millions'],
    [2_000_000_000, 'deux milliards'],
    [1_000_000_000_000, 'un billion'],
    [1_000_000_000_000_000n, 'un billiard'],
    [1_000_000_000_000_000_000n, 'un trillion'],
    [2_000_000_000_000_000_000n, 'deux trillions'],
    // Not in the Rust tests: written out from the same rules.
    [999_999_999, 'neuf cent quatre-vingt-dix-neuf millions neuf cent quatre-vingt-dix-neuf mille neuf cent quatre-vingt-dix-neuf'],
  ];
  for (const [n, expected] of cases) {
    it(`${n} → ${expected}`, () => {
      expect(frenchWords(n)).toBe(expected);
      expect(frenchWords(BigInt(n))).toBe(expected);
    });
  }

  it('writes u64::MAX like Rust', () => {
    expect(frenchWords(WORDS_MAX)).toBe(
      'dix-huit trillions quatre cent quarante-six billiards ' +
        'sept cent quarante-quatre billions soixante-treize milliards ' +
        'sept cent neuf millions cinq cent cinquante et un mille six cent quinze',
    );
  });

  it('refuses negatives, fractions and values beyond u64', () => {
    expect(() => frenchWords(-1)).toThrow(RangeError);
    expect(() => frenchWords(1.5)).toThrow(RangeError);
    expect(() => frenchWords(WORDS_MAX + 1n)).toThrow(RangeError);
  });

  it('is well formed over a range (same property as the Rust test)', () => {
    const bad: string[] = [];
    for (let n = 0; n <= 100_000; n++) {
      const w = frenchWords(n);
      if (
        w.length === 0 ||
        / {2}|^ | $|^-|-$|--| -|- /.test(w) ||
        !/^[a-zé -]+$/.test(w) ||
        (n !== 0 && w.includes('zéro')) ||
        (Math.floor(n / 1000) % 1000 === 1 && w.includes('un mille'))
      ) {
        bad.push(`${n}: ${w}`);
      }
    }
    expect(bad).toEqual([]);
  });
});

describe('amounts in words (fcfa_in_words)', () => {
  const cases: [string, string][] = [
    ['200000', 'deux cent mille francs CFA'],
    ['1', 'un franc CFA'],
    ['0', 'zéro franc CFA'],
    ['2', 'deux francs CFA'],
    ['-1', 'moins un franc CFA'],
    ['-2500', 'moins deux mille cinq cents francs CFA'],
    ['1000000', 'un million de francs CFA'],
    ['2000000', 'deux millions de francs CFA'],
    ['1000000000', 'un milliard de francs CFA'],
    ['3000000000000', 'trois billions de francs CFA'],
    ['2500000', 'deux millions cinq cent mille francs CFA'],
    ['1000001', 'un million un francs CFA'],
  ];
  for (const [amount, expected] of cases) {
    it(`${amount} → ${expected}`, () => expect(amountInWords(amount)).toBe(expected));
  }
  it('groups digits beyond u64 instead of words', () => {
    expect(amountInWords('18446744073709551616')).toBe(
      nb('18⍽446⍽744⍽073⍽709⍽551⍽616 francs CFA'),
    );
    expect(amountInWords('-18446744073709551616')).toBe(
      nb('moins 18⍽446⍽744⍽073⍽709⍽551⍽616 francs CFA'),
    );
  });
  it('returns nothing for what is not a whole number of francs', () => {
    expect(amountInWords('12.5')).toBe('');
    expect(amountInWords('abc')).toBe('');
  });
});
