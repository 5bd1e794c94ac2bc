import type { Viewer } from '../auth/index.ts';
import type { Db, Executor } from '../db/client.ts';
import { parseNhsNumber } from '../lib/nhs-number.ts';
import { seesWholeOrganisation, type NeedToKnow } from './people.access.ts';
import { searchResultsShown, toSummary, type SearchResults } from './people.model.ts';
import type { PersonRow } from './people.repository.ts';
import type { SearchCriteria } from './people.search.schema.ts';
import * as store from './people.search.repository.ts';
import { compactUpn, isValidUpn } from '../lib/upn.ts';

/** Candidates ranked for a search of several words (those matching every word). */
const candidatesConsidered = 200;
const wordsConsidered = 5;

/** Person search: only people the viewer may open are shown; the rest are counted, never named. */
export function searchService(deps: { readonly db: Db; readonly access: NeedToKnow }) {
  const { db, access } = deps;
  const openableBy = access.openableBy;
  return {
    /**
     * Finds people in the viewer's organisation by name (typos and parts of names allowed), date of
     * birth, NHS number, case reference or UPN. Only people the viewer may open are shown; the rest
     * are counted, with a way to give a reason.
     */
    async search(viewer: Viewer, criteria: SearchCriteria): Promise<SearchResults> {
      // Read-only and scoped to the viewer's organisation throughout: no transaction, and who the
      // viewer may open is read alongside the search, not after it.
      const wholeOrganisation = seesWholeOrganisation(viewer);
      const [rows, caseload] = await Promise.all([
        findPeople(db, viewer.organisationId, criteria),
        wholeOrganisation ? undefined : openableBy(db, viewer),
      ]);
      const shown = rows.people.slice(0, searchResultsShown);
      const openable = new Set(
        shown.filter((row) => caseload === undefined || caseload.has(row.id)).map((row) => row.id),
      );
      const found = { ...rows, shown, openable };
      return {
        matches: found.shown.filter((row) => found.openable.has(row.id)).map(toSummary),
        restricted: found.shown.filter((row) => !found.openable.has(row.id)).map((row) => row.id),
        more: found.more || found.people.length > searchResultsShown,
        invalidNhsNumber: found.invalidNhsNumber && found.people.length === 0,
      };
    },
  };
}

interface Found {
  readonly people: readonly PersonRow[];
  readonly more: boolean;
  readonly invalidNhsNumber: boolean;
}

/** Decides what kind of search the words typed ask for, and runs it. */
async function findPeople(trx: Executor, organisationId: string, criteria: SearchCriteria): Promise<Found> {
  const limit = searchResultsShown + 1;
  const query = criteria.query;
  if (query === null) {
    const dateOfBirth = criteria.dateOfBirth ?? '';
    const rows = await store.peopleBornOn(trx, organisationId, dateOfBirth, [], limit);
    return { people: rows, more: false, invalidNhsNumber: false };
  }
  const compact = query.replace(/\s+/g, '');
  if (/\d/.test(query)) {
    const tenDigits = /^\d{10}$/.test(compact);
    const nhsNumber = tenDigits ? (parseNhsNumber(compact) ?? null) : null;
    const upnCandidate = compactUpn(query);
    const upn = isValidUpn(upnCandidate) ? upnCandidate : null;
    const references = [...new Set([query.trim(), query.trim().toUpperCase(), compact])];
    const rows = await store.peopleWithIdentifier(
      trx,
      organisationId,
      { nhsNumber, upn, references },
      criteria.dateOfBirth,
      limit,
    );
    return { people: rows, more: false, invalidNhsNumber: tenDigits && nhsNumber === null };
  }
  return nameSearch(trx, organisationId, query, criteria.dateOfBirth);
}

/**
 * Name search: each typed word is matched to the organisation's known name words by trigram word
 * similarity ("jaden" -> "jayden", "smiht" -> "smith", "kowal" -> "kowalski"); people whose names
 * hold a match for every typed word are then found by exact keys, and ranked by how closely.
 */
async function nameSearch(
  trx: Executor,
  organisationId: string,
  query: string,
  dateOfBirth: string | null,
): Promise<Found> {
  const similar = await store.similarWords(trx, organisationId, query, wordsConsidered);
  const byTyped = new Map<number, { typed: string; words: Map<string, number> }>();
  for (const row of similar) {
    const entry = byTyped.get(row.index) ?? { typed: row.typed, words: new Map<string, number>() };
    if (row.word !== null) entry.words.set(row.word, row.score);
    byTyped.set(row.index, entry);
  }
  const typed = [...byTyped.values()];
  // Every typed word must match something: a word nobody in the organisation has means no one matches.
  if (typed.length === 0 || typed.some((entry) => entry.words.size === 0))
    return { people: [], more: false, invalidNhsNumber: false };
  const keyOf = (word: string) => `${organisationId}:${word}`;
  const sets = typed.map((entry) => [...entry.words.keys()].map(keyOf));

  let candidates: store.CandidateRow[];
  if (dateOfBirth !== null) {
    candidates = await store.peopleBornOn(trx, organisationId, dateOfBirth, sets, candidatesConsidered);
  } else {
    // Driven by the longest typed word (usually the most telling), its closest known words first.
    const drivingIndex = typed.reduce(
      (best, entry, index) => (entry.typed.length > (typed[best]?.typed.length ?? 0) ? index : best),
      0,
    );
    const driving = sets[drivingIndex] ?? [];
    const others = sets.filter((_, index) => index !== drivingIndex);
    // One typed word: the tiers are already in score order, so the first rows are the best. Several:
    // the rest of the score varies within a tier, so more are ranked.
    const limit = typed.length === 1 ? searchResultsShown + 1 : candidatesConsidered;
    candidates = await store.peopleWithWords(trx, organisationId, driving, others, {
      perTier: limit,
      limit,
      dateOfBirth: null,
    });
  }

  const prefix = `${organisationId}:`;
  const scored = candidates.map((candidate) => {
    const words = candidate.search_keys
      .filter((key) => key.startsWith(prefix))
      .map((key) => key.slice(prefix.length));
    let score = 0;
    for (const entry of typed) score += Math.max(0, ...words.map((word) => entry.words.get(word) ?? 0));
    return { candidate, score };
  });
  scored.sort(
    (a, b) =>
      b.score - a.score ||
      a.candidate.family_name.localeCompare(b.candidate.family_name) ||
      a.candidate.given_names.localeCompare(b.candidate.given_names) ||
      (a.candidate.date_of_birth ?? '').localeCompare(b.candidate.date_of_birth ?? '') ||
      a.candidate.id.localeCompare(b.candidate.id),
  );
  const people = scored.map(({ candidate }): PersonRow => ({
    id: candidate.id,
    organisation_id: candidate.organisation_id,
    given_names: candidate.given_names,
    family_name: candidate.family_name,
    known_as: candidate.known_as,
    date_of_birth: candidate.date_of_birth,
    nhs_number: candidate.nhs_number,
    local_reference: candidate.local_reference,
  }));
  return {
    people,
    more:
      candidates.length >=
      (typed.length === 1 && dateOfBirth === null ? searchResultsShown + 1 : candidatesConsidered),
    invalidNhsNumber: false,
  };
}
