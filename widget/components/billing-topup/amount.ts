/**
 * Reads an amount typed in major units ("25", "25.5", "1000.00") as integer cents, without
 * floating-point arithmetic. Anything else (signs, exponents, three decimals, empty) is undefined.
 */
export function parseAmountCents(text: string): number | undefined {
  const match = /^(\d{1,9})(?:\.(\d\d?))?$/.exec(text.trim());
  return match ? +match[1] * 100 + +(match[2] ?? '').padEnd(2, '0') : undefined;
}
