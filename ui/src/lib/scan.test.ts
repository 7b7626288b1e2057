import { describe, expect, it } from 'vitest';
import { looksLikeCode } from './scan';

describe('looksLikeCode', () => {
  it('tells a scan from a name or number', () => {
    expect(looksLikeCode('SENE1:0000BEEF:0193A5E2-7B4C-7D11-9E0F-1A2B3C4D5E6F:ABCD1234')).toBe(true);
    expect(looksLikeCode('  sene2:abc')).toBe(true);
    expect(looksLikeCode('SENE&M0000BEEF')).toBe(true);
    expect(looksLikeCode('Sene Traoré')).toBe(false);
    expect(looksLikeCode('senegal')).toBe(false);
    expect(looksLikeCode('DIO-0042')).toBe(false);
    expect(looksLikeCode('')).toBe(false);
  });
});
