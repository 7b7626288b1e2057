import { describe, expect, it } from 'vitest';
import { ConfirmedId, uuidv7 } from './ids';

describe('uuidv7', () => {
  it('writes the time first, then version 7 and the RFC variant', () => {
    const id = uuidv7(0x0190f0f01234, new Uint8Array(10).fill(0xff));
    expect(id).toBe('0190f0f0-1234-7fff-bfff-ffffffffffff');
  });
  it('sorts by time', () => {
    const a = uuidv7(1_700_000_000_000);
    const b = uuidv7(1_700_000_000_001);
    expect(a < b).toBe(true);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('ConfirmedId', () => {
  it('keeps the id for a retry of the same request', () => {
    const c = new ConfirmedId();
    const first = c.for({ contract_id: 'c1', amount: '1000' });
    expect(c.for({ contract_id: 'c1', amount: '1000' })).toBe(first);
  });
  it('mints another for another request, and after a success', () => {
    const c = new ConfirmedId();
    const first = c.for({ contract_id: 'c1', amount: '1000' });
    const other = c.for({ contract_id: 'c1', amount: '2000' });
    expect(other).not.toBe(first);
    c.done();
    expect(c.for({ contract_id: 'c1', amount: '2000' })).not.toBe(other);
  });
});
