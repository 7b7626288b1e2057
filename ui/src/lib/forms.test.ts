import { describe, expect, it } from 'vitest';
import { describedBy, fieldErrors, fieldName } from './forms';

describe('Rust field → form field', () => {
  const fields = ['amount', 'mode'];
  it('takes the request field name as is', () => {
    expect(fieldName('amount', fields)).toBe('amount');
  });
  it('understands the French label the Rust draft sends', () => {
    expect(fieldName('montant', fields)).toBe('amount');
    expect(fieldName('Mode de paiement', fields)).toBe('mode');
    expect(fieldName('poids brut (kg)', ['gross_kg'])).toBe('gross_kg');
  });
  it('ignores unknown or foreign fields', () => {
    expect(fieldName('gross_kg', fields)).toBeNull();
    expect(fieldName(null, fields)).toBeNull();
    expect(fieldName('???', fields)).toBeNull();
  });
  it('builds the error map', () => {
    expect(fieldErrors({ code: 'invalid_value', message: 'montant : trop', field: 'montant' }, fields)).toEqual({
      amount: 'montant : trop',
    });
    expect(fieldErrors({ code: 'store_error', message: 'x', field: null }, fields)).toEqual({});
  });
  it('describes controls by help and error', () => {
    expect(describedBy('a')).toBeUndefined();
    expect(describedBy('a', 'bad', true)).toBe('a-help a-err');
    expect(describedBy('a', '', true)).toBe('a-help');
  });
});
