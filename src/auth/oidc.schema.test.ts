import { describe, expect, it } from 'vitest';
import { domainProblem, ssoSettingsForm } from './oidc.schema.ts';

const settings = (fields: Record<string, string>, allowLoopbackHttp = false) =>
  ssoSettingsForm(allowLoopbackHttp).safeParse({
    issuer: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0',
    clientId: 'b1f6c3a2-5d7e-4f10-9a8b-2c3d4e5f6a7b',
    clientSecret: '',
    domains: 'swindon.gov.uk',
    createAccounts: 'no',
    ...fields,
  });

describe('single sign-on settings as an administrator types them', () => {
  it('takes domains in lower case, once each, and refuses malformed or look-alike ones', () => {
    expect(domainProblem(' @Swindon.GOV.uk ')).toEqual({ domain: 'swindon.gov.uk' });
    for (const bad of [
      'swindon',
      '10.0.0.1',
      'swin don.gov.uk',
      'nhs.nеt',
      'xn--nhs-ipa.net',
      '-a.gov.uk',
      'a..uk',
    ])
      expect(domainProblem(bad), bad).toHaveProperty('problem');
    const parsed = settings({ domains: 'swindon.gov.uk\nSWINDON.gov.uk, education.swindon.gov.uk' });
    expect(parsed.success && parsed.data.domains).toEqual(['education.swindon.gov.uk', 'swindon.gov.uk']);
    expect(settings({ domains: '  ' }).success).toBe(false);
  });

  it('needs an https issuer, allowing plain http on loopback only when told to (never in production)', () => {
    expect(settings({}).success).toBe(true);
    expect(settings({ issuer: 'http://login.example.com/v2.0' }).success).toBe(false);
    expect(settings({ issuer: 'http://127.0.0.1:4000' }).success).toBe(false);
    expect(settings({ issuer: 'http://127.0.0.1:4000' }, true).success).toBe(true);
    expect(settings({ issuer: 'http://login.example.com/v2.0' }, true).success).toBe(false);
    expect(settings({ issuer: 'https://user:pass@login.example.com/' }).success).toBe(false);
    expect(settings({ issuer: 'https://login.example.com/?tenant=x' }).success).toBe(false);
  });

  it('keeps an empty client secret as "not replaced"', () => {
    const kept = settings({ clientSecret: '   ' });
    expect(kept.success && kept.data.clientSecret).toBeUndefined();
    const replaced = settings({ clientSecret: 'new-secret' });
    expect(replaced.success && replaced.data.clientSecret).toBe('new-secret');
  });
});
