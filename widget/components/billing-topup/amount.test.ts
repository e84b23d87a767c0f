import { expect } from '@open-wc/testing';
import { parseAmountCents } from './amount.js';

describe('parseAmountCents', () => {
  it('reads major units as exact cents', () => {
    expect(parseAmountCents('25')).to.equal(2500);
    expect(parseAmountCents(' 25.5 ')).to.equal(2550);
    expect(parseAmountCents('0.07')).to.equal(7);
    expect(parseAmountCents('1000.00')).to.equal(100000);
    expect(parseAmountCents('19.99')).to.equal(1999);
  });

  it('refuses anything that is not a plain amount with at most two decimals', () => {
    for (const text of ['', '.5', '5.', '1.234', '-5', '+5', '1e3', '5,00', 'abc', '0x10', '1 000']) {
      expect(parseAmountCents(text), text).to.equal(undefined);
    }
  });
});
