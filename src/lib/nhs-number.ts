/**
 * NHS numbers: ten digits, the last a modulus 11 check digit over the first nine (weights 10 to 2).
 * A remainder that would give a check digit of 10 means the nine digits are never issued.
 */

const weights = [10, 9, 8, 7, 6, 5, 4, 3, 2] as const;

/** The check digit for nine digits, or undefined when those nine digits cannot form an NHS number. */
export function nhsCheckDigit(nineDigits: string): number | undefined {
  if (!/^\d{9}$/.test(nineDigits)) return undefined;
  let total = 0;
  for (const [index, weight] of weights.entries()) total += Number(nineDigits.charAt(index)) * weight;
  const check = 11 - (total % 11);
  if (check === 10) return undefined;
  return check === 11 ? 0 : check;
}

/** True for ten digits (no spaces) whose last digit is the right check digit. */
export function isValidNhsNumber(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) return false;
  return nhsCheckDigit(digits.slice(0, 9)) === Number(digits.charAt(9));
}

/** What was typed, without the spaces people put in ("943 476 5919"). */
export function compactNhsNumber(input: string): string {
  return input.replace(/\s+/g, '');
}

/** The NHS number as ten digits when the input (spaces allowed) is a valid one, else undefined. */
export function parseNhsNumber(input: string): string | undefined {
  const digits = compactNhsNumber(input);
  return isValidNhsNumber(digits) ? digits : undefined;
}

/** "943 476 5919": the 3-3-4 grouping the NHS uses on screen. */
export function formatNhsNumber(digits: string): string {
  return /^\d{10}$/.test(digits) ? `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}` : digits;
}

/** The first nine digits of the range reserved for test data: 999 000 000 to 999 999 999. */
const testRangeStart = 999_000_000;
const testRangeSize = 1_000_000;

/**
 * The NHS number in the test range (999 000 0000 to 999 999 9999) whose first nine digits are
 * 999 000 000 + `serial`, or undefined when those nine digits are never issued (check digit 10).
 * Never a real person's: for fixtures and benchmarks.
 */
export function testNhsNumber(serial: number): string | undefined {
  if (!Number.isInteger(serial) || serial < 0 || serial >= testRangeSize) return undefined;
  const prefix = String(testRangeStart + serial);
  const check = nhsCheckDigit(prefix);
  return check === undefined ? undefined : `${prefix}${check}`;
}

/** Distinct valid NHS numbers of the test range, in order from `serial`, wrapping round at its end. */
export function* testNhsNumbers(serial = 0): Generator<string, never> {
  let next = ((Math.trunc(serial) % testRangeSize) + testRangeSize) % testRangeSize;
  for (;;) {
    const number = testNhsNumber(next);
    next = (next + 1) % testRangeSize;
    if (number !== undefined) yield number;
  }
}
