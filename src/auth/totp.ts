import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

const period = 30;

function totpFor(secretBase32: string, label = 'Safeshare', issuer = 'Safeshare'): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period,
    secret: Secret.fromBase32(secretBase32),
  });
}

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/**
 * The time step of a valid code (allowing one step of clock drift either way), or undefined.
 * Callers accept a step only if it is later than the last step accepted, so a code works once.
 */
export function acceptedStep(secretBase32: string, code: string, now: Date): number | undefined {
  const token = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(token)) return undefined;
  const delta = totpFor(secretBase32).validate({ token, timestamp: now.getTime(), window: 1 });
  if (delta === null) return undefined;
  return Math.floor(now.getTime() / 1000 / period) + delta;
}

export function currentCode(secretBase32: string, now: Date): string {
  return totpFor(secretBase32).generate({ timestamp: now.getTime() });
}

/** The otpauth:// URI and a QR code (PNG data URI) for an authenticator app, plus the key grouped for reading. */
export async function enrolmentDetails(secretBase32: string, accountLabel: string, issuer: string) {
  const uri = totpFor(secretBase32, accountLabel, issuer).toString();
  return {
    qrDataUri: await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 1, width: 200 }),
    manualKey: secretBase32.replace(/(.{4})/g, '$1 ').trim(),
  };
}
