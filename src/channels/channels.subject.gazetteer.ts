import { readFileSync } from 'node:fs';

/**
 * The name gazetteer (data/names.txt): published lists of forenames and surnames, and those of them
 * that are also ordinary English words or proper nouns. Read once, on the first subject check that needs it.
 * data/README.md gives the sources, versions and licences.
 */
export interface Gazetteer {
  readonly forenames: ReadonlySet<string>;
  readonly surnames: ReadonlySet<string>;
  /** Names that are also ordinary words (rose, will, hall, bath): a name only where used as one. */
  readonly alsoWords: ReadonlySet<string>;
  /** Names that English also writes as proper nouns of other things (london, somerset, jones): a name beside another or a cue. */
  readonly properWords: ReadonlySet<string>;
}

let loaded: Gazetteer | undefined;

export function gazetteer(): Gazetteer {
  if (loaded !== undefined) return loaded;
  const text = readFileSync(new URL('data/names.txt', import.meta.url), 'utf8');
  const sections = new Map<string, Set<string>>();
  let current: Set<string> | undefined;
  for (const line of text.split('\n')) {
    const entry = line.trim();
    if (entry === '' || entry.startsWith('#')) continue;
    const heading = /^\[([a-z-]+)\]$/.exec(entry);
    if (heading?.[1] !== undefined) {
      current = new Set();
      sections.set(heading[1], current);
    } else current?.add(entry);
  }
  const section = (name: string) => {
    const found = sections.get(name);
    if (found === undefined || found.size === 0)
      throw new Error(`the name gazetteer has no [${name}] section`);
    return found;
  };
  loaded = {
    forenames: section('forenames'),
    surnames: section('surnames'),
    alsoWords: section('also-words'),
    properWords: section('proper-words'),
  };
  return loaded;
}
