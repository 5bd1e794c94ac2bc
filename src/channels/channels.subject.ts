import { isValidNhsNumber } from '../lib/nhs-number.ts';
import { isValidUpn } from '../lib/upn.ts';
import { findConfidentialContent, type ConfidentialContent } from './channels.subject.confidential.ts';
import { gazetteer, type Gazetteer } from './channels.subject.gazetteer.ts';

/**
 * The subject-line checker (R4.5.5, R2.5): finds personal identifiers in a proposed e-mail subject,
 * so that nothing identifying a person travels in the one part of a message that is never
 * encrypted and is shown in every inbox list. It answers with kinds and positions only: the
 * matched text is never repeated, so a finding can be logged or returned without leaking it.
 *
 * Recall comes first (a missed identifier is a disclosure), precision second (a checker that cries
 * wolf is switched off). Names are the hard part: a name like Rose, May or Will is also an
 * ordinary word, so such a name counts only where the subject uses it as a name. Names are found
 * from the record's names when they are passed, from a gazetteer of published name lists when they
 * are not (data/README.md), and from cues that mark any word as a name ("Mrs X", "the X family").
 * Confidential content ("HIV status", "sexual abuse disclosure") counts too, named or not.
 */

export const subjectFindingKinds = [
  'name',
  'date-of-birth',
  'nhs-number',
  'postcode',
  'phone-number',
  'email-address',
  'local-reference',
  'pupil-number',
  'address',
  'national-insurance-number',
  'confidential-content',
] as const;
export type SubjectFindingKind = (typeof subjectFindingKinds)[number];

/** Where an identifier is: UTF-16 offsets into the subject, end exclusive. */
export interface SubjectFinding {
  readonly kind: SubjectFindingKind;
  readonly start: number;
  readonly end: number;
}

export interface SubjectCheckContext {
  /** The names of the people the message is about ("Jayden Smith", "Siobhan O'Neill"). */
  readonly names?: readonly string[] | undefined;
  /** The pack's local case reference formats (regular expression sources). */
  readonly localReferences?: readonly { readonly pattern: string }[] | undefined;
  /** The pack's special-category and safeguarding terms, flagged as confidential content. */
  readonly confidentialContent?: ConfidentialContent | undefined;
  /** Today, YYYY-MM-DD: a full date more than a year before it, written without an event word, reads as a date of birth. */
  readonly today: string;
}

export interface SubjectCheck {
  readonly clean: boolean;
  readonly findings: readonly SubjectFinding[];
}

export const subjectKindNames: Record<SubjectFindingKind, string> = {
  name: 'a name',
  'date-of-birth': 'a date of birth',
  'nhs-number': 'an NHS number',
  postcode: 'a postcode',
  'phone-number': 'a telephone number',
  'email-address': 'an email address',
  'local-reference': 'a case reference',
  'pupil-number': 'a unique pupil number',
  address: 'a street address',
  'national-insurance-number': 'a National Insurance number',
  'confidential-content': 'confidential content',
};

/** The kinds found, in words: "a name and a date of birth". Never the text itself. */
export function describeFindings(findings: readonly SubjectFinding[]): string {
  const kinds = subjectFindingKinds
    .filter((kind) => findings.some((finding) => finding.kind === kind))
    .map((kind) => subjectKindNames[kind]);
  if (kinds.length <= 1) return kinds[0] ?? 'nothing';
  return `${kinds.slice(0, -1).join(', ')} and ${kinds.at(-1) ?? ''}`;
}

/** The subject with each finding replaced by its kind in brackets: "Referral - [name] [date of birth]". */
export function redactSubject(subject: string, findings: readonly SubjectFinding[]): string {
  let result = '';
  let at = 0;
  for (const finding of [...findings].sort((a, b) => a.start - b.start)) {
    if (finding.start < at) continue;
    result += `${subject.slice(at, finding.start)}[${subjectKindNames[finding.kind].replace(/^an? /, '')}]`;
    at = finding.end;
  }
  return result + subject.slice(at);
}

interface Span {
  readonly start: number;
  readonly end: number;
}

/** Finds every personal identifier in the subject. */
export function checkSubject(subject: string, context: SubjectCheckContext): SubjectCheck {
  const claimed: Span[] = [];
  const findings: SubjectFinding[] = [];
  const free = (start: number, end: number) =>
    claimed.every((span) => end <= span.start || start >= span.end);
  const claim = (kind: SubjectFindingKind | undefined, start: number, end: number) => {
    if (!free(start, end)) return;
    claimed.push({ start, end });
    if (kind !== undefined) findings.push({ kind, start, end });
  };

  for (const match of subject.matchAll(emailPattern))
    claim('email-address', match.index, match.index + match[0].length);
  for (const pattern of localReferencePatterns(context.localReferences ?? [])) {
    for (const match of subject.matchAll(pattern))
      claim('local-reference', match.index, match.index + match[0].length);
  }
  for (const match of subject.matchAll(upnPattern)) {
    if (isValidUpn(match[0].toUpperCase())) claim('pupil-number', match.index, match.index + match[0].length);
  }
  for (const match of subject.matchAll(niPattern))
    if (isNiNumber(match, niCue.test(lowerBefore(subject, match.index, 30))))
      claim('national-insurance-number', match.index, match.index + match[0].length);

  const tokens = tokenise(subject);
  const nameTokens = matchNames(subject, tokens, namesOf(context.names ?? []), gazetteer());

  for (const date of findDates(subject)) {
    if (!free(date.start, date.end)) continue;
    claim(
      isDateOfBirth(subject, date, nameTokens, context.today) ? 'date-of-birth' : undefined,
      date.start,
      date.end,
    );
  }
  for (const match of subject.matchAll(nhsPattern)) {
    const digits = match[0].replace(/\D/g, '');
    if (digits.startsWith('0')) continue;
    const before = lowerBefore(subject, match.index, 30);
    // A valid number counts unless it is plainly another kind of number; a mistyped one counts when written as an NHS number.
    const valid = isValidNhsNumber(digits);
    if (
      (valid && (nhsCue.test(before) || !otherNumberCue.test(before))) ||
      (!valid && nhsCueAdjacent.test(before))
    ) {
      claim('nhs-number', match.index, match.index + match[0].length);
    }
  }
  for (const match of subject.matchAll(phonePattern)) {
    const digits = match[0].replace(/\D/g, '');
    const national = digits.startsWith('0044')
      ? `0${digits.slice(4)}`
      : digits.startsWith('44')
        ? `0${digits.slice(2)}`
        : digits;
    if ((national.length === 10 || national.length === 11) && /^0[1235789]/.test(national))
      claim('phone-number', match.index, match.index + match[0].length);
  }
  for (const match of subject.matchAll(postcodePattern)) {
    if (isPostcode(match)) claim('postcode', match.index, match.index + match[0].length);
  }
  for (const match of subject.matchAll(addressPattern))
    claim('address', match.index, match.index + match[0].trimEnd().length);
  const names = mergeNames(subject, nameTokens);
  for (const span of names) claim('name', span.start, span.end);
  for (const span of findConfidentialContent(subject, context.confidentialContent, names.length > 0))
    claim('confidential-content', span.start, span.end);

  findings.sort((a, b) => a.start - b.start || a.end - b.end);
  return { clean: findings.length === 0, findings };
}

// ---------------------------------------------------------------- patterns

const emailPattern = /[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;
const upnPattern = /(?<![A-Za-z0-9])[A-Za-z]\d{11}[A-Za-z0-9](?![A-Za-z0-9])/g;
/** Ten digits, together or grouped in any way with single spaces, hyphens or dots. */
const nhsPattern = /(?<![\w+.-])\d(?:[ .-]?\d){9}(?![\w]|[ .-]?\d)/g;
/**
 * National Insurance numbers: two prefix letters, six digits in any spacing, an optional suffix A
 * to D. The prefix never uses D, F, I, Q, U or V, nor O as its second letter, nor BG, GB, NK, KN,
 * TN, NT or ZZ.
 */
const niPattern =
  /(?<![A-Za-z0-9])([A-Za-z]{2})[ -]?(\d{2})[ -]?(\d{2})[ -]?(\d{2})(?:[ -]?([A-Da-d]))?(?![A-Za-z0-9])/g;

/** "NI", "NINo", "National Insurance (number)" just before: any two letters and six digits are one. */
const niCue = /\b(?:ni|nino|national insurance)\b\W*(?:no|number|num)?\.?\W*(?:is\W*)?$/;

function isNiNumber(match: RegExpExecArray, cued: boolean): boolean {
  if (cued) return true;
  const prefix = (match[1] ?? '').toUpperCase();
  if (!/^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]$/.test(prefix)) return false;
  if (['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ'].includes(prefix)) return false;
  // Written in capitals as a rule; in small letters only whole ("ab123456c"), never "re 12 34 56".
  return match[0] === match[0].toUpperCase() || /^[a-z]{2}\d{6}[a-d]?$/.test(match[0]);
}
/** An NHS cue just before the number (within a few words). */
const nhsCue = /\b(?:nhs|chi|spine)\b/;
const nhsCueAdjacent = /\bnhs\b\W*(?:no|number|num)?\.?\W*(?:is\W*)?$/;
/** Other ten-digit numbers practitioners write: purchase orders, invoices, tickets, logs. */
const otherNumberCue =
  /\b(?:p\.?o\.?|purchase order|order|invoice|inv|remittance|ticket|inc|req|requisition|call log|log|batch|account|a\/c|acc|cost cent(?:re|er)|budget|vat|crime|urn|sort code)\b/;
/** UK telephone numbers: 0 or +44, grouped as people write them. */
const phonePattern =
  /(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|0044\s?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d)/g;
const postcodePattern =
  /(?<![A-Za-z0-9])(?:([A-Za-z]{1,2})(\d[A-Za-z\d]?) ?(\d[A-Za-z]{2})|GIR ?0AA)(?![A-Za-z0-9])/g;
const streetWords =
  'Road|Rd|Street|St|Avenue|Ave|Close|Lane|Drive|Dr|Way|Crescent|Court|Gardens|Place|Terrace|Grove|Rise|View|Walk|Mews|Square|Hill|Park|Row|Parade|Vale|Green|Fields|Meadow|Meadows|Wharf|Gate';
const addressPattern = new RegExp(
  `(?<![\\w])(?:(?:Flat|Apartment|Apt|Unit)\\s+\\d+[A-Za-z]?,?\\s+)?\\d{1,4}[A-Za-z]?,?\\s+(?:[A-Z][a-z'’]+\\s+){1,3}(?:${streetWords})\\b\\.?`,
  'g',
);

/** Postcode areas of the United Kingdom (and the Crown dependencies), so that "Y6" or "CP1" never read as postcodes. */
const postcodeAreas = new Set(
  (
    'AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY ' +
    'L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE'
  ).split(' '),
);

function isPostcode(match: RegExpExecArray): boolean {
  const [text, area, , inward] = match;
  if (area === undefined || inward === undefined) return /^GIR ?0AA$/i.test(text);
  if (!postcodeAreas.has(area.toUpperCase())) return false;
  // The inward code's letters never include C, I, K, M, O or V.
  if (!/^\d[ABD-HJLNP-UW-Z]{2}$/i.test(inward)) return false;
  // People type a postcode all in capitals or all in small letters; "G1 3rd" is a room, not Glasgow.
  const letters = text.replace(/[^A-Za-z]/g, '');
  return letters === letters.toUpperCase() || letters === letters.toLowerCase();
}

const compiledReferences = new Map<string, RegExp>();

function localReferencePatterns(references: readonly { readonly pattern: string }[]): RegExp[] {
  return references.map(({ pattern }) => {
    let compiled = compiledReferences.get(pattern);
    if (compiled === undefined) {
      compiled = new RegExp(`(?<![A-Za-z0-9])(?:${pattern})(?![A-Za-z0-9])`, 'gi');
      compiledReferences.set(pattern, compiled);
    }
    return compiled;
  });
}

function lowerBefore(subject: string, index: number, length: number): string {
  return subject.slice(Math.max(0, index - length), index).toLowerCase();
}

// ---------------------------------------------------------------- dates

interface FoundDate extends Span {
  readonly year: number | undefined;
  readonly month: number;
  readonly day: number;
}

const monthNames =
  'January|Jan|February|Feb|March|Mar|April|Apr|May|June|Jun|July|Jul|August|Aug|September|Sept|Sep|October|Oct|November|Nov|December|Dec';
const monthIndex: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const numericDate = /(?<![\d/.:-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?!\d|[/.-]\d)/g;
const isoDate = /(?<![\d/.:-])(\d{4})-(\d{1,2})-(\d{1,2})(?!\d|[/.-]\d)/g;
const dayMonthDate = new RegExp(
  `(?<![\\w])(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?(${monthNames})\\.?(?![a-z])(?:,?\\s+(\\d{4}|'\\d{2})(?!\\d))?`,
  'gi',
);
const monthDayDate = new RegExp(
  `(?<![\\w])(${monthNames})\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})(?!\\d)`,
  'gi',
);
const dayMonthNoYear = /(?<![\d/.:-])(\d{1,2})([/.])(\d{1,2})(?!\d|[/.-]\d)/g;
const compactDate = /(?<![\w/.:-])(\d{2})(\d{2})(\d{4}|\d{2})(?![\w/.-])/g;
const spacedDate = /(?<![\w/.:-])(\d{1,2}) (\d{1,2}) (\d{4}|\d{2})(?![\w/.-])/g;

function findDates(subject: string): FoundDate[] {
  const dates: FoundDate[] = [];
  const push = (
    start: number,
    text: string,
    day: string | undefined,
    month: number | undefined,
    year: string | undefined,
  ) => {
    const d = Number(day);
    if (month === undefined || !Number.isInteger(d) || d < 1 || d > 31 || month < 1 || month > 12) return;
    const fullYear =
      year === undefined
        ? undefined
        : Number(year.replace("'", '')) + (year.replace("'", '').length === 2 ? 2000 : 0);
    if (fullYear !== undefined && !realDate(fullYear, month, d)) return;
    if (fullYear === undefined && !realDate(2000, month, d)) return;
    dates.push({ start, end: start + text.length, year: fullYear, month, day: d });
  };
  for (const match of subject.matchAll(isoDate))
    push(match.index, match[0], match[3], Number(match[2]), match[1]);
  for (const match of subject.matchAll(numericDate))
    push(match.index, match[0], match[1], Number(match[3]), match[4]);
  for (const match of subject.matchAll(monthDayDate))
    push(match.index, match[0], match[2], monthIndex[(match[1] ?? '').slice(0, 3).toLowerCase()], match[3]);
  for (const match of subject.matchAll(dayMonthDate))
    push(match.index, match[0], match[1], monthIndex[(match[2] ?? '').slice(0, 3).toLowerCase()], match[3]);
  for (const match of subject.matchAll(dayMonthNoYear))
    push(match.index, match[0], match[1], Number(match[3]), undefined);
  // "DOB 010116", "dob 01012016", "dob: 07 08 2012": digits run together or spaced, read only straight after a birth cue.
  for (const match of [...subject.matchAll(compactDate), ...subject.matchAll(spacedDate)]) {
    if (birthCue.test(lowerBefore(subject, match.index, 30)))
      push(match.index, match[0], match[1], Number(match[2]), match[3]);
  }
  // Longest first, so that "12 March 2015" wins over "12 March" and a numeric date over its day and month.
  dates.sort((a, b) => a.start - b.start || b.end - a.end);
  return dates.filter(
    (date, index) => dates.findIndex((other) => other.start <= date.start && other.end >= date.end) === index,
  );
}

function realDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Words that say a date of birth follows ("DOB", "born", "EDD" for a baby not yet born). */
const birthCue =
  /(?:\bdobs?|\bd\.o\.b\.?|\bd\/o\/b|date of birth|birth ?date|\bborn(?: on| in)?|\bb\.|\bedd)\s*(?:is\s*)?[:(\-–]?\s*$/;
/** Words that say a date is an event, not a birthday. */
const eventCue =
  /\b(?:on|held|dated|from|to|until|till|by|due|deadline|since|before|after|between|w\/?c|commencing|ending|received|sent|started|ended|closed|opened|filed|booked|of|incident|meeting|conference|hearing|appointment|session|training|minutes|leave|supervision|icpc|rcpc|visit|moved|listed|issued|made|granted|expires?|expiry|start date|end date)\s*[:\-–]?\s*$/;

function isDateOfBirth(
  subject: string,
  date: FoundDate,
  nameTokens: readonly NameToken[],
  today: string,
): boolean {
  const before = lowerBefore(subject, date.start, 30);
  if (birthCue.test(before)) return true;
  if (date.year === undefined) return false;
  const [ty, tm, td] = today.split('-').map(Number);
  const now = Date.UTC(ty ?? 1970, (tm ?? 1) - 1, td ?? 1);
  const when = Date.UTC(date.year, date.month - 1, date.day);
  if (when > now) return false;
  // Straight after a name ("Jayden Smith 12/03/2015", "Baby Kowalski (03/09/2026)"): a birthday.
  if (
    nameTokens.some(
      (token) =>
        token.counts && token.end <= date.start && /^[\s,([-]*$/.test(subject.slice(token.end, date.start)),
    )
  )
    return true;
  if (eventCue.test(before)) return false;
  // A date more than a year ago, with no event word before it, is read as a date of birth.
  return now - when > 365 * 24 * 60 * 60 * 1000;
}

// ---------------------------------------------------------------- names

/**
 * Words that are names and also ordinary English (Rose, May, Will, Hope, Amber, Young, Child...).
 * Such a name counts only where the subject uses it as a name: next to another of the person's
 * names, after a title or an initial, possessive, before "family", alone between separators, or
 * capitalised in the middle of a sentence-case subject and not part of another proper noun.
 */
const ordinaryWords = new Set(
  (
    'rose may will grace hope faith joy summer autumn winter spring ivy holly daisy poppy lily amber jade ruby pearl crystal coral jewel dawn sky rain storm river brook heather iris violet jasmine hazel willow olive honey ' +
    'destiny harmony melody precious blessing princess star angel cherry ginger penny misty sunny sandy rusty dusty candy robin wren raven jay finch dove swan ' +
    'mark bill pat sue jack frank grant chase hunter mason carter cooper archer fletcher porter bishop king prince earl duke major sterling art ray gene guy dean drew chance max miles kit nan nana pip dot bud jan ' +
    'christian victor royal noble rich hardy moody bright sweet fair cross cook baker butcher barber carpenter miller turner walker weaver ward marshall hunt potter glover slater thatcher sawyer bowman fisher gardener farmer skinner ' +
    'mills waters banks bridge bridges ford wells stone stones rock marsh moss moor bush reed rush ash birch oak elm pine thorn frost snow power powers rivers winters summers ' +
    'lamb fox wolf bird crane drake hawk crow peacock salmon price cash love lord pope monk saint constable judge nurse doctor ' +
    'young old long short little small hall hill wood woods field fields lane green brown white black grey gray day knight friend sharp strong best good wise child care case law page bell ' +
    'booth house home street gate gates hedges cole gold silver steel iron flint clay cotton lock key keys north south east west wild savage cave burns read ' +
    'january february march april june july august september october november december mercy verity honour honor justice liberty unity trinity patience prudence charity constance'
  ).split(' '),
);
const months = new Set([
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
]);
const honorifics = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'master', 'dr', 'baby', 'rev']);
const nameCues = new Set(['re', 'regarding', 'concerning']);
const familyWords = new Set([
  'family',
  'household',
  'children',
  'siblings',
  'twins',
  'brothers',
  'sisters',
  'boys',
  'girls',
]);
const familyRoles = new Set([
  'mum',
  'mam',
  'mom',
  'mummy',
  'dad',
  'daddy',
  'mother',
  'father',
  'carer',
  'carers',
  'parents',
  'nan',
  'nana',
  'gran',
  'grandma',
  'grandad',
  'grandparents',
  'brother',
  'sister',
  'siblings',
  'stepdad',
  'stepmum',
]);
const alwaysCapitalised = new Set([
  ...months,
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
]);

interface NamePart {
  readonly key: string;
  readonly ambiguous: boolean;
  readonly month: boolean;
  /** Found in the gazetteer, not among the record's names: how the lists know the word. */
  readonly listing?: Listing;
}

interface Listing {
  readonly forename: boolean;
  readonly surname: boolean;
  /** Also an ordinary English word (rose, hall, batch). */
  readonly ordinary: boolean;
  /** Also written as a proper noun of something else (London, Somerset, Jones). */
  readonly proper: boolean;
}

/** Words that follow "Baby" or "Dr" in the name of a service, not a person ("Baby Friendly", "Baby Bank"). */
const serviceWords = new Set([
  'friendly',
  'bank',
  'banks',
  'clinic',
  'clinics',
  'group',
  'groups',
  'massage',
  'room',
  'unit',
  'units',
  'box',
  'boxes',
  'loss',
  'steps',
  'week',
  'club',
  'cafe',
  'sensory',
  'yoga',
  'first',
]);
/** Words that say what kind of family, not whose ("Foster family", "Birth family"). */
const familyAdjectives = new Set(
  'foster birth adoptive adopted kinship host extended whole new troubled supporting connected blended large young host respite'.split(
    ' ',
  ),
);
/** Words after a name that make it part of a place's or a service's name ("Jenner Health Centre", "Lister Road"). */
const placeWords = new Set(
  (
    'centre center school academy primary infants infant juniors junior nursery college university hospital ' +
    'clinic surgery practice unit team service services road street avenue lane close drive way park trust foundation ' +
    'childrens health medical community resource estate ground grounds library church chapel mosque temple ' +
    'gurdwara synagogue leisure sports campus building buildings room suite wing site block tower centre campus hub project ' +
    'unit partnership federation group surgery station police prison'
  ).split(' '),
);
/** Words that start a place's name when other names follow ("North East Somerset", "West Lothian"). */
const compassWords = new Set([
  'north',
  'south',
  'east',
  'west',
  'mid',
  'central',
  'greater',
  'upper',
  'lower',
]);
/** Words before a name that make it part of a place's name ("St Luke's", "Mount Pleasant"). */
const placePrefixes = new Set([
  'st',
  'saint',
  'mount',
  'port',
  'fort',
  'lake',
  'new',
  'upper',
  'lower',
  'great',
]);
/** Family members who may be written "X's mum", "baby of X", "mother of X". */
const ofRoles = new Set([
  'baby',
  'child',
  'mother',
  'mum',
  'father',
  'dad',
  'son',
  'daughter',
  'brother',
  'sister',
  'unborn',
]);

interface Token extends Span {
  readonly text: string;
  /** Folded, lower case, without apostrophes or hyphens. */
  readonly key: string;
  readonly possessive: boolean;
  readonly segment: number;
  readonly firstInSegment: boolean;
  readonly pieces: readonly (Span & { readonly key: string })[];
}

interface NameToken extends Span {
  readonly index: number;
  readonly part: NamePart;
  /** Whether the token is used as a name here (always, for a name that is not an ordinary word). */
  readonly counts: boolean;
}

/** Letters without accents, lower case: Zoë, Łukasz and Siân compare as zoe, lukasz and sian. */
function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[łŁ]/g, 'l')
    .replace(/[øØ]/g, 'o')
    .replace(/[đĐ]/g, 'd')
    .replace(/ß/g, 'ss')
    .replace(/[æÆ]/g, 'ae')
    .replace(/[œŒ]/g, 'oe')
    .replace(/ı/g, 'i')
    .toLowerCase();
}

const keyOf = (text: string) => fold(text).replace(/['’‘`-]/g, '');

function namesOf(names: readonly string[]): NamePart[] {
  const parts = new Map<string, NamePart>();
  const add = (key: string) => {
    if (key.length < 2 || honorifics.has(key) || parts.has(key)) return;
    parts.set(key, { key, ambiguous: key.length <= 2 || ordinaryWords.has(key), month: months.has(key) });
  };
  for (const name of names) {
    for (const word of name.split(/[\s,.]+/)) {
      if (word === '') continue;
      add(keyOf(word));
      for (const piece of word.split('-')) {
        add(keyOf(piece));
        // O'Neill: "Neill" alone is a partial name too.
        const apostrophe = /^(\p{L}{1,2})['’‘`](\p{L}{3,})$/u.exec(piece);
        if (apostrophe?.[2] !== undefined) add(keyOf(apostrophe[2]));
      }
    }
  }
  return [...parts.values()];
}

const tokenPattern = /[\p{L}\p{M}]+(?:['’‘`][\p{L}\p{M}]+)*(?:-[\p{L}\p{M}]+(?:['’‘`][\p{L}\p{M}]+)*)*/gu;
const separator = /[-–—:|()[\]{},;/?!"]/;

function tokenise(subject: string): Token[] {
  const tokens: Token[] = [];
  let segment = 0;
  let previousEnd = 0;
  for (const match of subject.matchAll(tokenPattern)) {
    const gap = subject.slice(previousEnd, match.index);
    const newSegment = tokens.length === 0 || separator.test(gap);
    if (newSegment && tokens.length > 0) segment += 1;
    let text = match[0];
    const possessive = /['’]s$/i.test(text) && text.length > 3;
    if (possessive) text = text.slice(0, -2);
    const pieces: (Span & { key: string })[] = [];
    let offset = match.index;
    for (const piece of text.split('-')) {
      pieces.push({ start: offset, end: offset + piece.length, key: keyOf(piece) });
      offset += piece.length + 1;
    }
    tokens.push({
      start: match.index,
      end: match.index + text.length,
      text,
      key: keyOf(text),
      possessive,
      segment,
      firstInSegment: newSegment,
      pieces,
    });
    previousEnd = match.index + match[0].length;
  }
  return tokens;
}

const capitalised = (text: string) => /^\p{Lu}/u.test(text);
const titleCase = (text: string) => /^\p{Lu}\p{Ll}/u.test(text);

function matchNames(
  subject: string,
  tokens: readonly Token[],
  parts: readonly NamePart[],
  names: Gazetteer,
): NameToken[] {
  const byKey = new Map(parts.map((part) => [part.key, part]));
  const candidates: (NameToken & { readonly token: Token; readonly cued?: boolean })[] = [];
  // All in small letters or all in capitals: the case of a word says nothing about whether it is a name.
  const caseless = !/\p{Lu}/u.test(subject) || !/\p{Ll}/u.test(subject);
  for (const [index, token] of tokens.entries()) {
    const whole = byKey.get(token.key) ?? fuzzyPart(token, parts);
    if (whole !== undefined) {
      candidates.push({ index, start: token.start, end: token.end, part: whole, counts: false, token });
      continue;
    }
    if (token.pieces.length > 1) {
      const found = token.pieces.flatMap((piece) => {
        const part = byKey.get(piece.key);
        return part === undefined
          ? []
          : [{ index, start: piece.start, end: piece.end, part, counts: false, token }];
      });
      if (found.length > 0) {
        candidates.push(...found);
        continue;
      }
    }
    if (!nameShaped(token.text, caseless)) continue;
    if (cuedAsName(tokens, index)) {
      const part = { key: token.key, ambiguous: false, month: false };
      candidates.push({ index, start: token.start, end: token.end, part, counts: true, token, cued: true });
      continue;
    }
    const listed = listedPart(token, names);
    if (listed !== undefined)
      candidates.push({ index, start: token.start, end: token.end, part: listed, counts: false, token });
  }
  const listed = new Map(
    candidates.flatMap((candidate) =>
      candidate.part.listing === undefined ? [] : [[candidate.index, candidate.part.listing] as const],
    ),
  );
  const isName = new Set(
    candidates
      .filter((candidate) => candidate.part.listing === undefined)
      .map((candidate) => candidate.index),
  );
  const titleMode = inTitleMode(tokens, isName);
  const gapBetween = (a: Token, b: Token) => subject.slice(a.end + (a.possessive ? 2 : 0), b.start);
  const simple = (gap: string) => /^[\s,.]*$/.test(gap);
  const joined = (gap: string) => simple(gap) || /^\s*[&+/]\s*$/.test(gap);

  return candidates.map((candidate) => {
    const { part, token, index } = candidate;
    if (candidate.cued === true) return candidate;
    if (part.listing !== undefined)
      return { ...candidate, counts: listedCounts(subject, tokens, index, part.listing, listed, isName) };
    const previous = tokens[index - 1];
    const next = tokens[index + 1];
    if (!part.ambiguous) return { ...candidate, counts: true };
    const upper = capitalised(token.text);
    // Next to another name of the people concerned ("Rose Taylor", "Taylor, Rose", "Ivy & Daisy", "Hope and Joy").
    const neighbourName = (other: Token | undefined, gap: string, via?: Token) => {
      if (other === undefined || !isName.has(tokens.indexOf(other))) return false;
      if (!(via === undefined ? joined(gap) : true)) return false;
      const otherPart = candidates.find((entry) => entry.token === other)?.part;
      return otherPart !== undefined && (!otherPart.ambiguous || (upper && capitalised(other.text)));
    };
    const andNext = next !== undefined && /^(?:and|&)$/i.test(next.text) ? tokens[index + 2] : undefined;
    const andPrevious =
      previous !== undefined && /^(?:and|&)$/i.test(previous.text) ? tokens[index - 2] : undefined;
    if (
      neighbourName(next, next === undefined ? '' : gapBetween(token, next)) ||
      neighbourName(previous, previous === undefined ? '' : gapBetween(previous, token))
    ) {
      return { ...candidate, counts: true };
    }
    if (
      (andNext !== undefined && neighbourName(andNext, '', andNext)) ||
      (andPrevious !== undefined && neighbourName(andPrevious, '', andPrevious))
    ) {
      return { ...candidate, counts: upper };
    }
    // "Grace and mum", "Rose & her dad": a person with a family member.
    if (
      upper &&
      !part.month &&
      andNext !== undefined &&
      next?.segment === token.segment &&
      (familyRoles.has(andNext.key) ||
        (andNext.key === 'her' || andNext.key === 'his'
          ? familyRoles.has(tokens[index + 3]?.key ?? '')
          : false))
    ) {
      return { ...candidate, counts: true };
    }
    // After a title ("Mr Hardy", "Baby May") or "re" ("re rose taylor").
    if (previous !== undefined && simple(gapBetween(previous, token))) {
      const word = previous.key;
      if (honorifics.has(word) || (!part.month && nameCues.has(word) && upper))
        return { ...candidate, counts: true };
    }
    if (!upper) return candidate;
    // Before or after an initial ("Rose T", "May O", "R Hall").
    const initial = (other: Token | undefined) =>
      other !== undefined && /^\p{Lu}$/u.test(other.text) && other.segment === token.segment;
    if (
      initial(next) ||
      (initial(previous) && simple(previous === undefined ? '' : gapBetween(previous, token)))
    )
      return { ...candidate, counts: true };
    if (part.month) return candidate;
    // Possessive, not part of a place's name ("Rose's assessment", never "King's College").
    if (token.possessive && (next === undefined || next.segment !== token.segment || !capitalised(next.text)))
      return { ...candidate, counts: true };
    // "Love family", "Green household"; never a place's name ("New Hope Family Centre").
    const afterNext = tokens[index + 2];
    if (
      next !== undefined &&
      next.segment === token.segment &&
      familyWords.has(next.key) &&
      (afterNext === undefined || afterNext.segment !== token.segment || !capitalised(afterNext.text))
    ) {
      return { ...candidate, counts: true };
    }
    // Alone between separators ("Rose - school nurse", "Re: Amber").
    const alone = token.firstInSegment && (next === undefined || next.segment !== token.segment);
    if (alone) return { ...candidate, counts: true };
    // Capitalised mid-sentence, and not part of another proper noun ("Town Hall", "Young Carers").
    if (!titleMode && titleCase(token.text) && !token.firstInSegment) {
      const properNeighbour = (other: Token | undefined) =>
        other !== undefined &&
        other.segment === token.segment &&
        capitalised(other.text) &&
        !isName.has(tokens.indexOf(other)) &&
        !/^\p{Lu}$/u.test(other.text);
      if (!properNeighbour(previous) && !properNeighbour(next)) return { ...candidate, counts: true };
    }
    return candidate;
  });
}

/**
 * Written as a name may be: capitalised ("Jayden"), or in capitals of five letters or more ("JAYDEN",
 * never an acronym like "EHCP"; four in a subject all in capitals), or in small letters where the
 * whole subject is.
 */
function nameShaped(text: string, caseless: boolean): boolean {
  const allCapitals = text.length > 1 && text === text.toUpperCase();
  if (!allCapitals) return capitalised(text) || caseless;
  return text.length >= (caseless ? 4 : 5);
}

/** A word of the gazetteer (or, hyphenated, made of its words), and how the lists know it. */
function listedPart(token: Token, names: Gazetteer): NamePart | undefined {
  const { key } = token;
  if (key.length < 2 || honorifics.has(key) || alwaysCapitalised.has(key) || nameCues.has(key))
    return undefined;
  const known = (word: string) => names.forenames.has(word) || names.surnames.has(word);
  const pieces = token.pieces.map((piece) => piece.key);
  const words = known(key) ? [key] : pieces.length > 1 && pieces.every(known) ? pieces : [];
  if (words.length === 0) return undefined;
  const ordinary = (word: string) => word.length <= 2 || names.alsoWords.has(word) || ordinaryWords.has(word);
  const listing = {
    forename: words.some((word) => names.forenames.has(word)),
    surname: words.some((word) => names.surnames.has(word)),
    ordinary: words.every(ordinary),
    proper: words.every((word) => names.properWords.has(word) || ordinary(word)) && !words.every(ordinary),
  };
  return { key, ambiguous: true, month: months.has(key), listing };
}

/** Role abbreviations written after a practitioner's name ("Sarah Jones (HV)"). */
const roleAbbreviations = new Set(
  'hv sw ssw dsl ddsl senco iro gp pc dc ds di sgt cpn sn fsw tm sm ehw ehc yot lado mash cp ts pa ot slt ep camhs dpo cg hr it'.split(
    ' ',
  ),
);
/** Words before a practitioner's name ("Duty manager today is Priya Sharma", "Dr Patel", "PC Evans"). */
const roleWords = new Set(
  'dr doctor pc dc ds di dci sgt sergeant inspector cllr councillor prof professor manager worker officer visitor nurse midwife teacher headteacher head lead coordinator co-ordinator practitioner consultant chair clerk administrator advisor adviser solicitor barrister judge magistrate guardian reviewing'.split(
    ' ',
  ),
);
/** The street words of addresses, and other words that follow a name in a place's name ("Hope House"). */
const streetWordSet = new Set(
  [
    ...streetWords.toLowerCase().split('|'),
    'house',
    'lodge',
    'farm',
    'garden',
    'court',
    'holiday',
    'end',
  ].map((word) => word),
);

/**
 * Whether a gazetteer word that is not one of the record's names counts as a name here. Lists of
 * names hold thousands of words that are also places, things and services (Reading, Hope House,
 * Reg 24), so a listed word counts only on evidence: a forename and a surname together ("Priya
 * Sharma"), an initial before a surname ("K. Lewandowski"), a forename that is no ordinary word
 * ("Liam - exclusion"), a surname no dictionary knows ("Okonkwo - visit"), or an ordinary word used
 * as a forename (possessive, alone, or capitalised mid-sentence). Never in a place's or a service's
 * name, before a number ("Reg 24"), before a capitalised word after a possessive ("Clare's Law"),
 * or as a practitioner's name beside their role ("Sarah Jones (HV)", "PC Evans").
 */
function listedCounts(
  subject: string,
  tokens: readonly Token[],
  index: number,
  listing: Listing,
  listed: ReadonlyMap<number, Listing>,
  recordNames: ReadonlySet<number>,
): boolean {
  const token = tokens[index];
  if (token === undefined) return false;
  const same = (other: Token | undefined): other is Token => other?.segment === token.segment;
  const previous = tokens[index - 1];
  const next = tokens[index + 1];
  const gap = (a: Token, b: Token) => subject.slice(a.end + (a.possessive ? 2 : 0), b.start);
  const simple = (text: string) => /^[\s,.]*$/.test(text);

  // The whole run of names ("Priya Sharma"), for the checks that look beyond it.
  let first = index;
  while (
    first > 0 &&
    listed.has(first - 1) &&
    simple(gap(tokens[first - 1] as Token, tokens[first] as Token))
  )
    first -= 1;
  let last = index;
  while (listed.has(last + 1) && simple(gap(tokens[last] as Token, tokens[last + 1] as Token))) last += 1;
  const after = tokens[last + 1];

  // "Reg 24", "Section 47", "Room 2": a word before a number names a rule or a room, unless the number starts a date.
  const rest = subject.slice(tokens[last]?.end ?? 0);
  if (
    /^\s+\d{1,3}(?![\d/.:-]|[ -]\d)/.test(rest) &&
    !new RegExp(`^\\s+\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?(?:${monthNames})\\b`, 'i').test(rest)
  )
    return false;
  if (partOfPlaceName(tokens, last) || partOfPlaceName(tokens, first)) return false;
  if (compassWords.has(tokens[first]?.key ?? '')) return false;
  // "Clare's Law", "King's Lodge": a possessive inside the run, or before a capitalised word, names a thing.
  for (let at = first; at < last; at += 1) if (tokens[at]?.possessive === true) return false;
  if ((tokens[last]?.possessive ?? false) && same(after) && titleCase(after.text)) return false;
  // A practitioner named beside their role: "Duty manager today is Priya Sharma", "PC Evans", "Sarah Jones (HV)".
  for (let at = first - 1; at >= first - 3; at -= 1)
    if (same(tokens[at]) && roleWords.has(tokens[at]?.key ?? '')) return false;
  const bracket = /^\s*\(\s*(\p{L}+)/u.exec(rest);
  if (bracket?.[1] !== undefined && roleAbbreviations.has(bracket[1].toLowerCase())) return false;
  // Not written as a name (small letters, or capitals) in a subject whose case says nothing: only a word no dictionary knows.
  if (!titleCase(token.text) && listing.ordinary) return false;

  const other = (at: number) => listed.get(at);
  // A forename and a surname together (or a surname, a comma and a forename): the strongest evidence.
  // Two ordinary words count only where nothing capitalised follows ("Lily Young -", never "Rose Garden Centre").
  const pairWith = (at: number, forenameFirst: boolean) => {
    const neighbour = other(at);
    if (neighbour === undefined) return false;
    const [forename, surname] = forenameFirst ? [listing, neighbour] : [neighbour, listing];
    const [left, right] = forenameFirst ? [index, at] : [at, index];
    const leftToken = tokens[left] as Token;
    const rightToken = tokens[right] as Token;
    const between = gap(leftToken, rightToken);
    if (!simple(between) || !forename.forename || !surname.surname) return false;
    if (forenameFirst ? between.includes(',') : !between.includes(',')) return false;
    if (!(forename.ordinary && surname.ordinary)) return true;
    const following = tokens[right + 1];
    return !streetWordSet.has(rightToken.key) && (!same(following) || !capitalised(following.text));
  };
  if (pairWith(index + 1, true) || pairWith(index - 1, false)) return true;
  // "K. Lewandowski", "R Hall"; "Sian P", "May O".
  if (listing.surname && same(previous) && /^\p{Lu}$/u.test(previous.text) && simple(gap(previous, token)))
    return true;
  if (listing.forename && same(next) && /^\p{Lu}$/u.test(next.text) && simple(gap(token, next))) return true;
  const alone = token.firstInSegment && !same(next);
  if (!listing.ordinary) {
    if (listing.forename) return true;
    // A surname alone is a name only where it stands alone ("Okonkwo - home visit", "MCGREGOR - MISSING").
    return !listing.proper && alone && capitalised(token.text);
  }
  if (!listing.forename) return false;
  // An ordinary word as a forename: "Rose's assessment", "Rose - school nurse", "call from Grace re attendance".
  if (token.possessive || alone) return true;
  if (token.firstInSegment || !titleCase(token.text)) return false;
  const capitalisedNeighbour = (neighbour: Token | undefined) =>
    same(neighbour) && capitalised(neighbour.text) && !/^\p{Lu}$/u.test(neighbour.text);
  return !capitalisedNeighbour(previous) && !capitalisedNeighbour(next) && !inTitleMode(tokens, recordNames);
}

/**
 * Whether the words around a capitalised word mark it as a name, whatever it is: "Mrs X", "Baby X",
 * "the X family", "X's mum", "unborn baby of X", "mother of X".
 */
function cuedAsName(tokens: readonly Token[], index: number): boolean {
  const token = tokens[index];
  if (token === undefined) return false;
  const previous = tokens[index - 1];
  const next = tokens[index + 1];
  const sameSegment = (other: Token | undefined): other is Token => other?.segment === token.segment;
  if (sameSegment(previous) && honorifics.has(previous.key) && !previous.possessive) {
    const forService = previous.key === 'baby' || previous.key === 'dr' || previous.key === 'master';
    if (!(forService && serviceWords.has(token.key))) return true;
  }
  if (token.possessive && sameSegment(next) && familyRoles.has(next.key)) return true;
  // "the Okafor family", "Nwosu family -", "Eastwood boys": never "Foster family" or "the Family Centre".
  if (sameSegment(next) && familyWords.has(next.key) && !familyAdjectives.has(token.key)) {
    const afterNext = tokens[index + 2];
    const fromStart = token.firstInSegment || (previous?.key === 'the' && sameSegment(previous));
    if (fromStart && (!sameSegment(afterNext) || !titleCase(afterNext.text))) return true;
  }
  const role = tokens[index - 2];
  return previous?.key === 'of' && sameSegment(previous) && sameSegment(role) && ofRoles.has(role.key);
}

/** A gazetteer word that starts or ends a place's or a service's name ("Jenner Health Centre", "St Luke's"). */
function partOfPlaceName(tokens: readonly Token[], index: number): boolean {
  const token = tokens[index];
  if (token === undefined) return false;
  const previous = tokens[index - 1];
  const same = (other: Token | undefined): other is Token => other?.segment === token.segment;
  for (let at = index + 1; at <= index + 3; at += 1) {
    const other = tokens[at];
    if (!same(other) || !capitalised(other.text)) break;
    if (placeWords.has(other.key)) return true;
  }
  return same(previous) && capitalised(previous.text) && placePrefixes.has(previous.key);
}

/** Most longer words capitalised ("Referrals For The Summer Holiday Club"): capitals then say nothing about names. */
function inTitleMode(tokens: readonly Token[], isName: ReadonlySet<number>): boolean {
  let words = 0;
  let capitals = 0;
  for (const [index, token] of tokens.entries()) {
    if (
      token.firstInSegment ||
      isName.has(index) ||
      token.text.length < 4 ||
      alwaysCapitalised.has(token.key) ||
      token.text === token.text.toUpperCase()
    )
      continue;
    words += 1;
    if (capitalised(token.text)) capitals += 1;
  }
  return words >= 2 && capitals / words >= 0.6;
}

/** A misspelt name (one letter changed, or two swapped: "Mohammad" for Muhammad, "Siobahn"), only where written as a name. */
function fuzzyPart(token: Token, parts: readonly NamePart[]): NamePart | undefined {
  if (token.key.length < 6 || !capitalised(token.text) || ordinaryWords.has(token.key)) return undefined;
  return parts.find(
    (part) => !part.ambiguous && part.key.length === token.key.length && oneEditApart(part.key, token.key),
  );
}

function oneEditApart(a: string, b: string): boolean {
  const differences: number[] = [];
  for (let index = 0; index < a.length; index += 1) {
    if (a.charAt(index) !== b.charAt(index)) differences.push(index);
    if (differences.length > 2) return false;
  }
  if (differences.length === 1) return true;
  const [first, second] = differences;
  return (
    first !== undefined &&
    second === first + 1 &&
    a.charAt(first) === b.charAt(second) &&
    a.charAt(second) === b.charAt(first)
  );
}

/** Name tokens that count, with neighbouring ones ("Jayden Smith") joined into one finding. */
function mergeNames(subject: string, tokens: readonly NameToken[]): Span[] {
  const spans: { start: number; end: number }[] = [];
  for (const token of [...tokens].filter((entry) => entry.counts).sort((a, b) => a.start - b.start)) {
    const last = spans.at(-1);
    if (last !== undefined && /^[\s,]*$/.test(subject.slice(last.end, token.start)))
      last.end = Math.max(last.end, token.end);
    else if (last === undefined || token.start >= last.end)
      spans.push({ start: token.start, end: token.end });
  }
  return spans;
}
