import { describe, expect, it } from 'vitest';
import { consentRecord } from '../../test/support/consent-record.ts';
import { loadPolicyPack } from '../policy/index.ts';
import { consentNotice, firstNameOf, hasNotice, joinWords, type NoticeContext } from './consent.notice.ts';
import { winAnsi } from './consent.pdf.ts';
import type { ConsentRecord } from './consent.record.ts';

const policy = loadPolicyPack();

function record(overrides: Partial<ConsentRecord> = {}): ConsentRecord {
  return consentRecord({
    childView: null,
    recipientRoles: ['School nurse', 'Early help worker'],
    methodIds: ['secure-exchange', 'in-person'],
    retentionFormIds: ['paper', 'electronic'],
    evidenceNote: null,
    ...overrides,
  });
}

const context: NoticeContext = {
  child: { givenNames: 'Amelia Rose', knownAs: null },
  organisation: {
    name: 'Swindon Borough Council',
    switchboardPhone: '01793 463000',
    address: { line1: 'Civic Offices', line2: 'Euclid Street', town: 'Swindon', postcode: 'SN1 2JH' },
  },
  practitionerName: 'Priya Sharma',
  recipientNames: ['Drove Primary School'],
  policy,
  today: '2026-11-30',
};

function allText(notice: ReturnType<typeof consentNotice>): string {
  return [
    notice.title,
    ...notice.introduction,
    ...notice.sections.flatMap((section) => [
      section.heading,
      ...section.paragraphs,
      ...section.list,
      ...section.closing,
    ]),
  ].join('\n');
}

describe('the family’s consent notice', () => {
  it('says what was agreed in the organisation’s name: purposes, use, recipients, information, methods and keeping (R3.2)', () => {
    const notice = consentNotice(record(), context);
    expect(notice.title).toBe('What we will share about Amelia, and why');
    expect(notice.organisationName).toBe('Swindon Borough Council');
    expect(notice.issuedOn).toBe('30 November 2026');
    expect(notice.standing).toBeNull();
    const section = (heading: string) => notice.sections.find((candidate) => candidate.heading === heading);
    expect(section('Why we want to share information')?.list).toEqual([
      'Early help assessment and support',
      'Education support, including an EHC plan',
    ]);
    expect(section('How we will use it')?.paragraphs[0]).toBe('To plan early help with her school.');
    expect(section('Who we may share it with')?.list).toEqual([
      'Drove Primary School',
      'a school nurse',
      'an early help worker',
    ]);
    expect(section('What information we may share')?.list).toEqual([
      'Education',
      'Health, including mental health',
    ]);
    expect(section('What information we may share')?.closing.join(' ')).toContain('extra private');
    expect(section('How we will share it')?.list).toEqual(['Safeshare secure exchange', 'In person']);
    expect(section('How long we keep it')?.paragraphs).toEqual([
      'We will keep it for this long: until Amelia is 25.',
      'We keep it on paper and on computer.',
      'After that, we delete it or destroy it safely.',
    ]);
    expect(section('How long this agreement lasts')?.paragraphs).toEqual([
      'Amelia and Amelia’s mother agreed to this on 20 November 2026.',
      'We will check with you that you still agree by 20 November 2027.',
    ]);
  });

  it('says when information may be shared without consent, in the words of the 2024 advice, and explains the law it names', () => {
    const section = consentNotice(record(), context).sections.find(
      (candidate) => candidate.heading === 'When we may share information without asking you',
    );
    expect(section?.paragraphs.join(' ')).toContain('Keeping Amelia safe comes first.');
    expect(section?.list).toEqual([
      'to protect Amelia or someone else from harm',
      'when the law says we must',
    ]);
    expect(section?.closing.join(' ')).toContain('unless telling you could put someone in danger');
    expect(section?.closing.join(' ')).toContain(
      'The Data Protection Act 2018 is the law about how organisations look after information about people.',
    );
  });

  it('tells the family they may withdraw at any time and how: phone the switchboard, write, or tell the practitioner (R3.3)', () => {
    const section = consentNotice(record(), context).sections.find(
      (candidate) => candidate.heading === 'You can change your mind',
    );
    expect(section?.paragraphs.join(' ')).toContain(
      'You can take back your agreement at any time. This is called withdrawing consent.',
    );
    expect(section?.list).toEqual([
      'phone Swindon Borough Council on 01793 463000 and ask for Priya Sharma',
      'write to Priya Sharma, Swindon Borough Council, Civic Offices, Euclid Street, Swindon, SN1 2JH',
      'tell Priya Sharma when you see them',
    ]);
    const noDirectory = consentNotice(record(), {
      ...context,
      practitionerName: null,
      organisation: { name: 'Swindon Borough Council', switchboardPhone: null, address: null },
    });
    expect(
      noDirectory.sections.find((candidate) => candidate.heading === 'You can change your mind')?.list,
    ).toEqual(['write to Swindon Borough Council', 'tell the person who helps you when you see them']);
  });

  it('explains the words a family may not know, and only those the notice uses', () => {
    const words = consentNotice(record(), context).sections.find(
      (candidate) => candidate.heading === 'What some words mean',
    );
    expect(words?.paragraphs.some((text) => text.startsWith('Early help means'))).toBe(true);
    expect(
      words?.paragraphs.some((text) => text.startsWith('An EHC plan (education, health and care plan)')),
    ).toBe(true);
    expect(words?.paragraphs.some((text) => text.startsWith('Youth justice'))).toBe(false);
  });

  it('is written in short sentences: none longer than 30 words, and 15 words on average', () => {
    const sentences = allText(consentNotice(record(), context))
      .split(/(?<=[.:])\s+|\n/)
      .map((sentence) => sentence.trim())
      .filter((sentence) => sentence !== '' && !sentence.startsWith('Our reference'));
    const lengths = sentences.map((sentence) => sentence.split(/\s+/).length);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(30);
    expect(lengths.reduce((sum, length) => sum + length, 0) / lengths.length).toBeLessThanOrEqual(15);
  });

  it('says first when the agreement is no longer in force', () => {
    const withdrawal = {
      on: '2027-01-15',
      method: 'letter',
      by: 'parent_carer',
      note: null,
      recordedBy: '3f4a5b6c-7d8e-4f9a-8b1c-2d3e4f5a6b7c',
      recordedAt: new Date('2027-01-15T12:00:00Z'),
    } as const;
    expect(consentNotice(record({ status: 'withdrawn', withdrawal }), context).standing).toBe(
      'This agreement was taken back on 15 January 2027. We no longer share information because of it.',
    );
    expect(consentNotice(record({ status: 'expired', expiresOn: '2027-06-30' }), context).standing).toContain(
      'has ended',
    );
    expect(consentNotice(record({ status: 'superseded' }), context).standing).toContain('replaced');
  });

  it('is offered only for consent that was given: never for a refusal or a decision not to seek consent', () => {
    expect(hasNotice(record())).toBe(true);
    expect(hasNotice(record({ decision: 'refused', status: 'refused' }))).toBe(false);
    expect(hasNotice(record({ decision: 'not_sought', status: 'not_sought' }))).toBe(false);
  });

  it('calls the child by the name they are known by, or their first given name', () => {
    expect(firstNameOf({ givenNames: 'Amelia Rose', knownAs: null })).toBe('Amelia');
    expect(firstNameOf({ givenNames: 'Thomas James', knownAs: 'TJ' })).toBe('TJ');
    expect(firstNameOf({ givenNames: '  Zofia ', knownAs: '  ' })).toBe('Zofia');
    expect(joinWords(['a', 'b', 'c'])).toBe('a, b and c');
  });
});

describe('text for the PDF’s built-in font', () => {
  it('keeps what Windows-1252 covers and simplifies the rest rather than printing a wrong letter', () => {
    expect(winAnsi('Amelia’s “mother” – Zoë, Chloé, Søren, €5 •')).toBe(
      'Amelia’s “mother” – Zoë, Chloé, Søren, €5 •',
    );
    expect(winAnsi('Łucja Dąbrowska, Dương, Şükrü')).toBe('Lucja Dabrowska, Duong, Sükrü');
    expect(winAnsi('Ōtautahi 東京 🙂')).toBe('Otautahi ?? ?');
  });
});
