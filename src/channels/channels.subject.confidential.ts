import type { ChannelPolicy } from '../policy/index.ts';

/**
 * Confidential content in a subject line (R4.5.5): special-category and safeguarding terms from the
 * pack ("sexual abuse", "HIV status", "self-harm"), which tell whoever sees the subject something
 * confidential about the people concerned even when no one is named. A term beside a word that makes
 * the subject about a service or topic in general ("Domestic abuse awareness training") does not
 * count, unless a word there says it is about someone after all ("Self-harm disclosed to teacher").
 */
export type ConfidentialContent = ChannelPolicy['confidentialContent'];

export interface Span {
  readonly start: number;
  readonly end: number;
}

interface Compiled {
  readonly terms: RegExp;
  readonly general: RegExp | undefined;
  readonly personal: RegExp | undefined;
}

const compiled = new WeakMap<ConfidentialContent, Compiled>();

/** A phrase as a pattern: any case, whole words, a space, hyphen or nothing between words, an optional plural. */
function phrasePattern(phrases: readonly string[]): string {
  return [...phrases]
    .sort((a, b) => b.length - a.length)
    .map((phrase) =>
      phrase
        .trim()
        .split(/[\s-]+/)
        .map((word) => word.replace(/['’]/g, "['’]").replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('[\\s-]?'),
    )
    .join('|');
}

function compile(content: ConfidentialContent): Compiled {
  let found = compiled.get(content);
  if (found === undefined) {
    const words = (phrases: readonly string[]) =>
      phrases.length === 0
        ? undefined
        : new RegExp(`(?<![\\p{L}\\d])(?:${phrasePattern(phrases)})(?:s|es)?(?![\\p{L}\\d])`, 'iu');
    found = {
      terms: new RegExp(
        `(?<![\\p{L}\\d])(?:${phrasePattern(content.terms.flatMap((term) => term.phrases))})(?:s|es)?(?![\\p{L}\\d])`,
        'giu',
      ),
      general: words(content.generalWords),
      personal: words(content.personalWords),
    };
    compiled.set(content, found);
  }
  return found;
}

/** Where the subject carries confidential content; `aboutSomeone` is true when a name was found in it. */
export function findConfidentialContent(
  subject: string,
  content: ConfidentialContent | undefined,
  aboutSomeone: boolean,
): Span[] {
  if (content === undefined || content.terms.length === 0) return [];
  const { terms, general, personal } = compile(content);
  const spans: Span[] = [];
  for (const match of subject.matchAll(terms))
    spans.push({ start: match.index, end: match.index + match[0].length });
  if (spans.length === 0) return spans;
  const inGeneral = general?.test(subject) === true;
  if (inGeneral && !aboutSomeone && personal?.test(subject) !== true) return [];
  return spans;
}
