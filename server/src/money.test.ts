import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError } from './errors.ts';
import { formatCents, parseAmount } from './money.ts';

function rejects(input: unknown, code: string, bounds?: { minCents?: number; maxCents?: number }) {
  assert.throws(
    () => parseAmount(input, 'amount', bounds),
    (err: unknown) => {
      assert.ok(err instanceof ApiError, `expected ApiError for ${JSON.stringify(input)}`);
      assert.equal(err.status, 400);
      assert.equal(err.code, code, `code for ${JSON.stringify(input)}`);
      assert.equal(err.field, 'amount');
      return true;
    },
  );
}

describe('parseAmount', () => {
  test('takes JSON numbers and decimal strings with up to two decimals, as integer cents', () => {
    assert.equal(parseAmount(12.5, 'amount'), 1250);
    assert.equal(parseAmount('12.50', 'amount'), 1250);
    assert.equal(parseAmount('12.5', 'amount'), 1250);
    assert.equal(parseAmount(19.99, 'amount'), 1999);
    assert.equal(parseAmount('0.01', 'amount'), 1);
    assert.equal(parseAmount(1000, 'amount'), 100_000);
    assert.equal(parseAmount('1000', 'amount'), 100_000);
    // Floating point would say 0.29 * 100 = 28.999999999999996; parsing the decimal text does not.
    assert.equal(parseAmount(0.29, 'amount'), 29);
    assert.equal(parseAmount(1.005e2, 'amount'), 10050);
  });

  test('refuses zero and negatives', () => {
    for (const input of [0, -5, -0.01, '0', '0.00', '-5', '-0.01']) rejects(input, 'invalid_amount');
  });

  test('refuses strings that are not plain decimals', () => {
    for (const input of [
      'NaN',
      'Infinity',
      '-Infinity',
      '1e3',
      '12.345',
      '12.',
      '.5',
      ' 12',
      '12 ',
      '1,000',
      '$5',
      '0x10',
      '',
      'abc',
    ]) {
      rejects(input, 'invalid_amount');
    }
  });

  test('refuses three decimals given as a number', () => {
    rejects(12.345, 'invalid_amount');
    rejects(0.001, 'invalid_amount');
  });

  test('refuses booleans, arrays, objects, null and absence', () => {
    for (const input of [true, false, [5], [], { amount: 5 }, null, undefined])
      rejects(input, 'invalid_amount');
  });

  test('refuses non-finite numbers', () => {
    for (const input of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      rejects(input, 'invalid_amount');
    }
  });

  test('refuses amounts under the minimum and over the maximum', () => {
    rejects(4.99, 'amount_too_small', { minCents: 500, maxCents: 100_000 });
    rejects('4.99', 'amount_too_small', { minCents: 500, maxCents: 100_000 });
    rejects(1000.01, 'amount_too_large', { minCents: 500, maxCents: 100_000 });
    rejects('1000.01', 'amount_too_large', { minCents: 500, maxCents: 100_000 });
    assert.equal(parseAmount('5', 'amount', { minCents: 500, maxCents: 100_000 }), 500);
    assert.equal(parseAmount('1000.00', 'amount', { minCents: 500, maxCents: 100_000 }), 100_000);
  });

  test('refuses astronomically large amounts without losing precision on the way', () => {
    for (const input of [
      1e21,
      1e300,
      Number.MAX_SAFE_INTEGER,
      Number.MAX_VALUE,
      '1000000000000000000000',
      '99999999999999999999.99',
      '90071992547409.93',
    ]) {
      rejects(input, 'amount_too_large');
    }
  });
});

describe('formatCents', () => {
  test('two decimals, sign kept, no grouping', () => {
    assert.equal(formatCents(1250), '12.50');
    assert.equal(formatCents(5), '0.05');
    assert.equal(formatCents(0), '0.00');
    assert.equal(formatCents(-125), '-1.25');
    assert.equal(formatCents(100_000_000), '1000000.00');
  });
});
