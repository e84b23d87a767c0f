import { ApiError } from './errors.ts';

/** The largest amount the API takes anywhere: one million in major units. */
export const ABSOLUTE_MAX_CENTS = 100_000_000;

const DECIMAL = /^(\d{1,15})(?:\.(\d{1,2}))?$/;

export interface AmountBounds {
  /** Smallest accepted amount in cents (default 1). */
  minCents?: number;
  /** Largest accepted amount in cents (default ABSOLUTE_MAX_CENTS). */
  maxCents?: number;
}

/**
 * Parses a money amount given in major units (a JSON number or a decimal string with at most two
 * decimals) into integer cents. Anything else, or a value out of bounds, is a 400 naming `field`.
 */
export function parseAmount(input: unknown, field: string, bounds: AmountBounds = {}): number {
  const minCents = bounds.minCents ?? 1;
  const maxCents = bounds.maxCents ?? ABSOLUTE_MAX_CENTS;
  const cents = toCents(input, field, maxCents);
  if (cents <= 0) {
    throw new ApiError(400, 'invalid_amount', `${field} must be greater than zero.`, field);
  }
  if (cents < minCents) {
    throw new ApiError(400, 'amount_too_small', `${field} must be at least ${formatCents(minCents)}.`, field);
  }
  if (cents > maxCents) {
    throw new ApiError(400, 'amount_too_large', `${field} must be at most ${formatCents(maxCents)}.`, field);
  }
  return cents;
}

function toCents(input: unknown, field: string, maxCents: number): number {
  if (input === undefined || input === null || input === '') {
    throw new ApiError(400, 'invalid_amount', `${field} is required.`, field);
  }
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) {
      throw new ApiError(400, 'invalid_amount', `${field} must be a finite number.`, field);
    }
    if (input <= 0) {
      throw new ApiError(400, 'invalid_amount', `${field} must be greater than zero.`, field);
    }
    // Checked before formatting: huge numbers print in exponent form, which is not a decimal.
    if (input * 100 > maxCents) {
      throw new ApiError(
        400,
        'amount_too_large',
        `${field} must be at most ${formatCents(maxCents)}.`,
        field,
      );
    }
    // The shortest round-trip form of a JSON number is the decimal the client wrote.
    text = String(input);
  } else if (typeof input === 'string') {
    text = input;
    if (/^-/.test(text)) {
      throw new ApiError(400, 'invalid_amount', `${field} must be greater than zero.`, field);
    }
  } else {
    throw new ApiError(
      400,
      'invalid_amount',
      `${field} must be a number or a decimal string such as "12.50".`,
      field,
    );
  }
  if (/^\d{16,}(\.\d*)?$/.test(text)) {
    throw new ApiError(400, 'amount_too_large', `${field} must be at most ${formatCents(maxCents)}.`, field);
  }
  const match = DECIMAL.exec(text);
  if (!match) {
    throw new ApiError(
      400,
      'invalid_amount',
      `${field} must be a positive amount with at most two decimals, such as "12.50".`,
      field,
    );
  }
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(2, '0'));
  return whole * 100 + fraction;
}

/** Formats integer cents as a plain decimal string with two decimals: 1250 → "12.50", -125 → "-1.25". */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const whole = Math.trunc(abs / 100);
  const fraction = abs % 100;
  return `${sign}${whole}.${fraction < 10 ? '0' : ''}${fraction}`;
}
