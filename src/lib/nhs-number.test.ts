import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compactNhsNumber,
  formatNhsNumber,
  isValidNhsNumber,
  nhsCheckDigit,
  parseNhsNumber,
  testNhsNumber,
  testNhsNumbers,
} from './nhs-number.ts';
import { isValidUpn, upnCheckLetter } from './upn.ts';

const decimalDigits = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const nineDigits = fc.string({ unit: fc.constantFrom(...decimalDigits), minLength: 9, maxLength: 9 });
const validNhsNumber = nineDigits
  .map((prefix) => ({ prefix, check: nhsCheckDigit(prefix) }))
  .filter((candidate) => candidate.check !== undefined)
  .map(({ prefix, check }) => `${prefix}${String(check)}`);

describe('NHS numbers', () => {
  it('accepts published examples and refuses near misses', () => {
    expect(isValidNhsNumber('9434765919')).toBe(true);
    expect(parseNhsNumber('943 476 5919')).toBe('9434765919');
    expect(parseNhsNumber(' 943 476  5919 ')).toBe('9434765919');
    expect(isValidNhsNumber('9434765918')).toBe(false);
    expect(isValidNhsNumber('943476591')).toBe(false);
    expect(isValidNhsNumber('94347659190')).toBe(false);
    expect(isValidNhsNumber('943-476-5919')).toBe(false);
    expect(parseNhsNumber('943-476-5919')).toBeUndefined();
    expect(isValidNhsNumber('')).toBe(false);
    expect(formatNhsNumber('9434765919')).toBe('943 476 5919');
  });

  it('treats a check digit of 10 as never issued', () => {
    // 999 000 000: 9x10 + 9x9 + 9x8 = 243, 243 mod 11 = 1, 11 - 1 = 10.
    expect(nhsCheckDigit('999000000')).toBeUndefined();
    expect(testNhsNumber(0)).toBeUndefined();
    const never = fc.sample(
      nineDigits.filter((digits) => nhsCheckDigit(digits) === undefined),
      20,
    );
    expect(never.length).toBeGreaterThan(0);
    for (const digits of never) {
      for (let check = 0; check <= 9; check += 1)
        expect(isValidNhsNumber(`${digits}${String(check)}`)).toBe(false);
    }
  });

  it('validates every number built with its check digit, with or without spaces', () => {
    fc.assert(
      fc.property(validNhsNumber, (digits) => {
        expect(isValidNhsNumber(digits)).toBe(true);
        expect(parseNhsNumber(formatNhsNumber(digits))).toBe(digits);
        expect(compactNhsNumber(formatNhsNumber(digits))).toBe(digits);
      }),
    );
  });

  it('detects every single-digit error', () => {
    fc.assert(
      fc.property(
        validNhsNumber,
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        (digits, position, shift) => {
          const changed = (Number(digits.charAt(position)) + shift) % 10;
          const typo = `${digits.slice(0, position)}${String(changed)}${digits.slice(position + 1)}`;
          expect(isValidNhsNumber(typo)).toBe(false);
        },
      ),
    );
  });

  it('detects every swap of two different neighbouring digits', () => {
    fc.assert(
      fc.property(validNhsNumber, fc.integer({ min: 0, max: 8 }), (digits, position) => {
        const a = digits.charAt(position);
        const b = digits.charAt(position + 1);
        fc.pre(a !== b);
        const swapped = `${digits.slice(0, position)}${b}${a}${digits.slice(position + 2)}`;
        expect(isValidNhsNumber(swapped)).toBe(false);
      }),
    );
  });

  it('refuses anything that is not exactly ten digits', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }).filter((text) => !/^\d{10}$/.test(text)),
        (text) => {
          expect(isValidNhsNumber(text)).toBe(false);
        },
      ),
    );
  });

  it('generates distinct valid numbers from the 999 test range', () => {
    expect(testNhsNumber(1)).toBe('9990000018');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999 }), (serial) => {
        const number = testNhsNumber(serial);
        if (number === undefined) expect(nhsCheckDigit(String(999_000_000 + serial))).toBeUndefined();
        else {
          expect(number.startsWith('999')).toBe(true);
          expect(isValidNhsNumber(number)).toBe(true);
        }
      }),
    );
    const numbers = testNhsNumbers(999_990);
    const taken = Array.from({ length: 30 }, () => numbers.next().value);
    expect(new Set(taken).size).toBe(30);
    expect(taken.every((number) => isValidNhsNumber(number) && number.startsWith('999'))).toBe(true);
  });
});

describe('unique pupil numbers', () => {
  it('accepts published examples and refuses a wrong check letter', () => {
    expect(isValidUpn('B801200005001')).toBe(true);
    expect(isValidUpn('A801200005001')).toBe(false);
    expect(isValidUpn('B207000016049')).toBe(false);
    expect(isValidUpn('X80120000A001')).toBe(false);
    expect(isValidUpn('b801200005001')).toBe(false);
  });

  it('gives every 12-character body exactly one check letter, never I, O or S', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...decimalDigits), minLength: 11, maxLength: 11 }),
        fc.constantFrom(...decimalDigits, ...'ABCDEFGHJKLMNPQRTUVWXYZ'.split('')),
        (digits, last) => {
          const letter = upnCheckLetter(`${digits}${last}`);
          expect(letter).toMatch(/^[A-HJ-NP-RT-Z]$/);
          expect(isValidUpn(`${String(letter)}${digits}${last}`)).toBe(true);
        },
      ),
    );
  });
});
