/**
 * Unique Pupil Numbers (England): 13 characters. Character 1 is a check letter; 2 to 12 are digits;
 * 13 is a digit, or a letter for a temporary UPN. The check letter is the sum of each later
 * character's value times its position (2 to 13), modulo 23, read from the letters below (I, O and
 * S are never used), which also give a temporary UPN's last letter its value.
 */
const checkLetters = 'ABCDEFGHJKLMNPQRTUVWXYZ';

function characterValue(character: string): number | undefined {
  if (/^\d$/.test(character)) return Number(character);
  const index = checkLetters.indexOf(character);
  return index === -1 ? undefined : index;
}

/** The check letter for characters 2 to 13, or undefined when they are not a UPN's. */
export function upnCheckLetter(rest: string): string | undefined {
  if (!/^\d{11}[0-9A-Z]$/.test(rest)) return undefined;
  let total = 0;
  for (let index = 0; index < rest.length; index += 1) {
    const value = characterValue(rest.charAt(index));
    if (value === undefined) return undefined;
    total += value * (index + 2);
  }
  return checkLetters.charAt(total % 23);
}

/** What was typed, upper-cased and without spaces. */
export function compactUpn(input: string): string {
  return input.replace(/\s+/g, '').toUpperCase();
}

/** True for a 13-character UPN (upper case, no spaces) with the right check letter. */
export function isValidUpn(upn: string): boolean {
  if (!/^[A-Z]\d{11}[0-9A-Z]$/.test(upn)) return false;
  return upnCheckLetter(upn.slice(1)) === upn.charAt(0);
}
