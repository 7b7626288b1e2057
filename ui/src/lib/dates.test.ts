import { describe, expect, it } from 'vitest';
import { dateValue, isoToDmy, parseDate } from './dates';

describe('dates typed and shown dd/mm/yyyy', () => {
  it('shows an ISO date day first', () => {
    expect(isoToDmy('2027-01-15')).toBe('15/01/2027');
    expect(isoToDmy('')).toBe('');
    expect(isoToDmy(null)).toBe('');
    expect(isoToDmy('15/01/2027')).toBe('15/01/2027');
  });
  it('reads a date typed day first, whatever the separator', () => {
    for (const t of ['15/01/2027', '15/1/2027', ' 15 / 01 / 2027 ', '15.01.2027', '15-01-2027', '15 01 2027', '15012027']) {
      expect(parseDate(t), t).toEqual({ iso: '2027-01-15' });
    }
    expect(parseDate('1/2/2027')).toEqual({ iso: '2027-02-01' });
    expect(parseDate('2027-01-15')).toEqual({ iso: '2027-01-15' });
    expect(parseDate('')).toEqual({ iso: '' });
  });
  it('never reads it month first (01/15/2027 is no date)', () => {
    expect(parseDate('01/15/2027')).toEqual({ problem: { kind: 'month', month: '15' } });
  });
  it('refuses a day its month does not have', () => {
    expect(parseDate('31/02/2027')).toEqual({ problem: { kind: 'day', date: '31/02/2027', days: 28 } });
    expect(parseDate('29/02/2027')).toEqual({ problem: { kind: 'day', date: '29/02/2027', days: 28 } });
    expect(parseDate('29/02/2028')).toEqual({ iso: '2028-02-29' });
    expect(parseDate('31/04/2027')).toEqual({ problem: { kind: 'day', date: '31/04/2027', days: 30 } });
    expect(parseDate('00/01/2027')).toEqual({ problem: { kind: 'day', date: '00/01/2027', days: 31 } });
  });
  it('refuses what is not a date', () => {
    for (const t of ['15/01/27', 'demain', '15 janvier 2027', '2027/01/15', '15/01/2027 10:00']) {
      expect(parseDate(t), t).toEqual({ problem: { kind: 'format' } });
    }
    expect(parseDate('15/01/1999')).toEqual({ problem: { kind: 'year', year: '1999' } });
  });
  it('hands the screen ISO, "" or the text as typed', () => {
    expect(dateValue('15/01/2027')).toBe('2027-01-15');
    expect(dateValue('  ')).toBe('');
    expect(dateValue('31/02/2027')).toBe('31/02/2027');
  });
  it('round-trips every day of a leap year', () => {
    for (let d = new Date(Date.UTC(2028, 0, 1)); d.getUTCFullYear() === 2028; d.setUTCDate(d.getUTCDate() + 1)) {
      const iso = d.toISOString().slice(0, 10);
      expect(parseDate(isoToDmy(iso))).toEqual({ iso });
    }
  });
});
