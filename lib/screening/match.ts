/**
 * Screening: scores a person against list entries and explains each hit. A compliance officer
 * must be able to see why a trader was flagged, so every hit says which listed name or alias
 * matched, how each word of the trader's name aligned with it, and whether the date of birth and
 * nationality agreed.
 *
 * Name score: each query word is paired with the listed word it resembles most (Jaro-Winkler on
 * spelling-folded forms, or on consonant skeletons for Arabic-script input), one-to-one and in
 * any order. The score is the weighted similarity of the pairs over the query's words, plus a
 * small charge for listed words the query lacks (a missing middle name costs a little, a missing
 * surname a lot because the query then has an unpaired word too). Date of birth and nationality
 * then move the score up or down.
 *
 * Compound names are joined or split at will ("MARTINEZ LOPEZ" ↔ "MartinezLopez"), so a word on
 * one side may also pair with a run of two or three neighbouring words on the other, written as
 * one (joinsOf), in either direction. Such a pair counts as one word on both sides and shows in
 * the explanation as it was written: query "martinezlopez", listed "martinez lopez".
 */
import {
  buildIndex,
  candidateNames,
  nameJoins,
  prepareList,
  type PreparedList,
  type ScreeningIndex,
  type CandidateOptions,
} from "./index";
import { countryCode } from "./countries";
import { editDistance } from "./edit-distance";
import { jaroWinkler } from "./jaro-winkler";
import { joinsOf, queryNameVariants, type Join, type Token } from "./normalize";
import type { EntryType, ListDate, ListEntry, ScreeningQuery } from "./types";

export { buildIndex };

export type Thresholds = {
  /** At or above: a hit a reviewer must look at. */
  review: number;
  /** At or above: a likely match, escalated and never auto-approved. */
  likely: number;
};

export const DEFAULT_THRESHOLDS: Thresholds = { review: 0.85, likely: 0.93 };

/** Word pairs below this similarity are not paired at all. */
const PAIR_FLOOR = 0.75;
/**
 * Charge for listed words the query lacks: the first word's weight costs 0.2, each further one
 * 0.05, because lists often carry patronymics and chains of "bin X bin Y" a trader leaves out.
 */
const MISSING_FIRST_WORD = 0.2;
const MISSING_FURTHER_WORDS = 0.05;
/** Arabic-script words compared on consonants only are a weaker signal. */
const SKELETON_DISCOUNT = 0.95;
/**
 * Typos a word may have against a joined run of this many letters (see joinSimilarity): none in
 * a short run ("lina" is not "li na" with a typo, it is another name), one from 6, two from 10.
 */
function joinTypoBudget(letters: number): number {
  return letters >= 10 ? 2 : letters >= 6 ? 1 : 0;
}

const DOB_EXACT = 0.05;
const DOB_YEAR = 0.03;
const DOB_CONFLICT = -0.1;
const NATIONALITY_AGREES = 0.02;
const NATIONALITY_CONFLICT = -0.05;

export type TokenPair = { query: string; listed: string; score: number };

export type DobResult = "exact" | "year" | "near" | "partial" | "conflict" | "unknown";
export type NationalityResult = "agree" | "conflict" | "unknown";

export type Explanation = {
  matchedName: string;
  matchedAlias: boolean;
  nameScore: number;
  pairs: TokenPair[];
  unmatchedQuery: string[];
  unmatchedListed: string[];
  dateOfBirth: { result: DobResult; listed: string[] };
  nationality: { result: NationalityResult; listed: string[] };
  /** What DOB and nationality added to the name score. */
  adjustment: number;
};

export type Hit = {
  entry: ListEntry;
  score: number;
  level: "likely" | "review" | "below";
  matchedName: string;
  explanation: Explanation;
};

export type ScreenOptions = CandidateOptions & {
  thresholds?: Partial<Thresholds>;
  /** Hits below this score are left out (default: the review threshold). */
  minScore?: number;
  /** At most this many hits, best first (default 20). */
  limit?: number;
};

/** Similarity of two words, 0..1. */
export function tokenSimilarity(a: Token, b: Token): number {
  if (a.fold === b.fold) return 1;
  const la = a.fold.length;
  const lb = b.fold.length;
  // An initial agrees with a word that starts with it, and only that.
  if (a.raw.length === 1 || b.raw.length === 1) return a.raw[0] === b.raw[0] ? 0.9 : 0;
  // A joined pair ("mariagarcia") pairs only with one word spelled about the same.
  if ((a.joined || b.joined) && (Math.abs(la - lb) > 1 || a.fold[0] !== b.fold[0])) return 0;
  let s = Math.min(la, lb) / Math.max(la, lb) < 0.5 ? 0 : jaroWinkler(a.fold, b.fold);
  if ((a.abjad || b.abjad) && a.skel.length > 0 && b.skel.length > 0) {
    s = Math.max(s, jaroWinkler(a.skel, b.skel) * SKELETON_DISCOUNT);
  }
  return s;
}

/**
 * Whether `a` is `b` with at most `budget` edits. A word whose first and last letters both differ
 * from the run's is taken for another name without counting: a cheap filter that also keeps two
 * typos from landing at both ends.
 */
function withinEdits(a: string, b: string, budget: number): boolean {
  if (Math.abs(a.length - b.length) > budget) return false;
  if (
    a.charCodeAt(0) !== b.charCodeAt(0) &&
    a.charCodeAt(a.length - 1) !== b.charCodeAt(b.length - 1)
  )
    return false;
  return editDistance(a, b, budget) <= budget;
}

/** Slack on a word's length against a run's in joinSimilarity: the largest typo budget. */
const JOIN_LENGTH_SLACK = 2;

/** The longest a word's spellings are, or Infinity for one compared by skeleton (any length). */
function longest(word: Token): number {
  return word.abjad ? Infinity : Math.max(word.raw.length, word.fold.length);
}

/** The shortest a run's spellings can be, or 0 for one compared by skeleton (any length). */
function shortest(run: Join): number {
  return run.abjad ? 0 : Math.min(run.rawLength, run.foldMin);
}

/**
 * Whether `word` could pair with `run` at all, judged by lengths alone: spares making the run's
 * token for the many pairs joinSimilarity would turn down on length.
 */
function mayPair(word: Token, run: Join): boolean {
  if (word.joined) return false;
  if (word.abjad || run.abjad) return true;
  const f = word.fold.length;
  return (
    Math.abs(word.raw.length - run.rawLength) <= JOIN_LENGTH_SLACK ||
    (f >= run.foldMin - JOIN_LENGTH_SLACK && f <= run.foldMax + JOIN_LENGTH_SLACK)
  );
}

/**
 * Similarity of a single word to a run of neighbouring words written as one (`run`), 0..1. The
 * word must be the run with at most a typo or two (counted on the spelling as written or folded):
 * Jaro-Winkler alone forgives a long word too much, and "martinsanchez" must not pass for
 * "martinez lopez" because both start with "martin".
 */
export function joinSimilarity(word: Token, run: Token): number {
  if (word.joined || word.raw.length === 1) return 0;
  if (word.abjad || run.abjad) {
    // Vowel-less script: only the consonants compare.
    const lw = word.skel.length;
    const lr = run.skel.length;
    if (lw === 0 || lr === 0 || Math.abs(lw - lr) > 1) return 0;
    return jaroWinkler(word.skel, run.skel) * SKELETON_DISCOUNT;
  }
  // Most pairs differ in length by more than any typo budget.
  if (
    Math.abs(word.raw.length - run.raw.length) > JOIN_LENGTH_SLACK &&
    Math.abs(word.fold.length - run.fold.length) > JOIN_LENGTH_SLACK
  )
    return 0;
  if (word.fold === run.fold) return 1;
  const budget = joinTypoBudget(Math.min(word.raw.length, run.raw.length));
  if (
    budget === 0 ||
    !(withinEdits(word.raw, run.raw, budget) || withinEdits(word.fold, run.fold, budget))
  )
    return 0;
  return jaroWinkler(word.fold, run.fold);
}

type Alignment = {
  score: number;
  query: readonly Token[];
  queryJoins: readonly Join[];
  listed: readonly Token[];
  listedJoins: readonly Join[];
};

const NO_JOINS: readonly Join[] = [];

let cellQ = new Int32Array(64);
let cellL = new Int32Array(64);
let cellS = new Float64Array(64);
let usedQ = new Uint8Array(16);
let usedL = new Uint8Array(16);

/** Whether the words of unit `u` (a word below `n`, else joins[u - n]) are all unpaired. */
function isFree(used: Uint8Array, u: number, n: number, joins: readonly Join[]): boolean {
  if (u < n) return used[u] === 0;
  const { from, to } = joins[u - n]!;
  for (let i = from; i < to; i++) if (used[i]) return false;
  return true;
}

function take(used: Uint8Array, u: number, n: number, joins: readonly Join[]): void {
  if (u < n) used[u] = 1;
  else for (let i = joins[u - n]!.from; i < joins[u - n]!.to; i++) used[i] = 1;
}

function unitToken(tokens: readonly Token[], joins: readonly Join[], u: number): Token {
  return u < tokens.length ? tokens[u]! : joins[u - tokens.length]!.token;
}

/**
 * Score of the best one-to-one pairing of query words with listed words (greedy on similarity).
 * A "unit" on either side is one word (index below the word count) or one of the joined runs
 * passed in (index word count + run index); a run pairs only with a single word on the other
 * side and uses up all its words. This is the hot path of screening: it allocates nothing unless
 * `pairsOut` asks for the pairs (as [queryUnit, listedUnit, similarity] triples) to explain a hit.
 */
export function alignTokens(
  query: readonly Token[],
  listed: readonly Token[],
  pairsOut?: [number, number, number][],
  queryJoins: readonly Join[] = NO_JOINS,
  listedJoins: readonly Join[] = NO_JOINS,
): number {
  const n = query.length;
  const m = listed.length;
  const size = (n + queryJoins.length) * (m + listedJoins.length);
  if (cellS.length < size) {
    cellQ = new Int32Array(size * 2);
    cellL = new Int32Array(size * 2);
    cellS = new Float64Array(size * 2);
  }
  if (usedQ.length < n) usedQ = new Uint8Array(n * 2);
  if (usedL.length < m) usedL = new Uint8Array(m * 2);
  usedQ.fill(0, 0, n);
  usedL.fill(0, 0, m);

  // Runs are mostly longer than any word on the other side: then their loops are skipped whole.
  let shortestListedRun = Infinity;
  for (let k = 0; k < listedJoins.length; k++)
    shortestListedRun = Math.min(shortestListedRun, shortest(listedJoins[k]!));
  let longestListedWord = 0;
  if (queryJoins.length > 0)
    for (let j = 0; j < m; j++)
      longestListedWord = Math.max(longestListedWord, longest(listed[j]!));

  // Only pairs above the floor can be chosen: collect those once, then pick greedily among them.
  let cells = 0;
  for (let i = 0; i < n; i++) {
    const q = query[i]!;
    const runs = longest(q) + JOIN_LENGTH_SLACK < shortestListedRun ? 0 : listedJoins.length;
    for (let j = 0; j < m; j++) {
      const s = tokenSimilarity(q, listed[j]!);
      if (s > PAIR_FLOOR) {
        cellQ[cells] = i;
        cellL[cells] = j;
        cellS[cells++] = s;
      }
    }
    for (let k = 0; k < runs; k++) {
      const run = listedJoins[k]!;
      if (!mayPair(q, run)) continue;
      const s = joinSimilarity(q, run.token);
      if (s > PAIR_FLOOR) {
        cellQ[cells] = i;
        cellL[cells] = m + k;
        cellS[cells++] = s;
      }
    }
  }
  for (let k = 0; k < queryJoins.length; k++) {
    const run = queryJoins[k]!;
    if (longestListedWord + JOIN_LENGTH_SLACK < shortest(run)) continue;
    for (let j = 0; j < m; j++) {
      if (!mayPair(listed[j]!, run)) continue;
      const s = joinSimilarity(listed[j]!, run.token);
      if (s > PAIR_FLOOR) {
        cellQ[cells] = n + k;
        cellL[cells] = j;
        cellS[cells++] = s;
      }
    }
  }

  let matched = 0;
  // A joined query run counts as one word: the query weighs its own weight, not its words'.
  let queryWeight = 0;
  for (let i = 0; i < n; i++) queryWeight += query[i]!.weight;
  for (;;) {
    let best = -1;
    for (let c = 0; c < cells; c++) {
      const s = cellS[c]!;
      if (best >= 0 && s < cellS[best]!) continue;
      if (!isFree(usedQ, cellQ[c]!, n, queryJoins) || !isFree(usedL, cellL[c]!, m, listedJoins))
        continue;
      // Ties go to the heavier query word, so "al" does not take a surname's partner.
      if (
        best < 0 ||
        s > cellS[best]! ||
        unitToken(query, queryJoins, cellQ[c]!).weight >
          unitToken(query, queryJoins, cellQ[best]!).weight
      )
        best = c;
    }
    if (best < 0) break;
    const qu = cellQ[best]!;
    const lu = cellL[best]!;
    const s = cellS[best]!;
    take(usedQ, qu, n, queryJoins);
    take(usedL, lu, m, listedJoins);
    const qt = unitToken(query, queryJoins, qu);
    if (qu >= n) {
      const { from, to } = queryJoins[qu - n]!;
      for (let i = from; i < to; i++) queryWeight -= query[i]!.weight;
      queryWeight += qt.weight;
    }
    // A pair counts with the lighter of its two words: an initial vouches for less than a name.
    matched += Math.min(qt.weight, unitToken(listed, listedJoins, lu).weight) * s;
    pairsOut?.push([qu, lu, s]);
  }
  let missing = 0;
  for (let j = 0; j < m; j++) if (!usedL[j]) missing += listed[j]!.weight;
  const charge =
    MISSING_FIRST_WORD * Math.min(missing, 1) + MISSING_FURTHER_WORDS * Math.max(0, missing - 1);
  const denominator = queryWeight + charge;
  return denominator > 0 ? matched / denominator : 0;
}

/** Best alignment over the query's and the listed name's variants. */
function bestAlignment(
  qVariants: readonly Token[][],
  qJoins: readonly (readonly Join[])[],
  lVariants: readonly Token[][],
  lJoins: readonly (readonly Join[])[],
): Alignment | undefined {
  let best: Alignment | undefined;
  for (let a = 0; a < qVariants.length; a++) {
    for (let b = 0; b < lVariants.length; b++) {
      const score = alignTokens(qVariants[a]!, lVariants[b]!, undefined, qJoins[a], lJoins[b]);
      if (!best || score > best.score)
        best = {
          score,
          query: qVariants[a]!,
          queryJoins: qJoins[a]!,
          listed: lVariants[b]!,
          listedJoins: lJoins[b]!,
        };
    }
  }
  return best;
}

type QueryDate = { year: number; month?: number; day?: number };

function parseQueryDate(value: ScreeningQuery["dateOfBirth"]): QueryDate | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") return value;
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(value.trim());
  if (!m) return undefined;
  return {
    year: Number(m[1]),
    ...(m[2] ? { month: Number(m[2]) } : {}),
    ...(m[3] ? { day: Number(m[3]) } : {}),
  };
}

const DOB_RANK: Record<DobResult, number> = {
  exact: 5,
  year: 4,
  partial: 3,
  near: 2,
  conflict: 1,
  unknown: 0,
};

function compareDate(q: QueryDate, listed: ListDate): DobResult {
  const slack = listed.approximate ? 1 : 0;
  const lo = listed.year - slack;
  const hi = (listed.yearTo ?? listed.year) + slack;
  if (q.year < lo - 1 || q.year > hi + 1) return "conflict";
  if (q.year < lo || q.year > hi) return "near";
  if (listed.yearTo !== undefined || listed.approximate || listed.month === undefined)
    return "year";
  if (q.month === undefined) return "year";
  if (q.month !== listed.month) return "partial";
  if (listed.day === undefined || q.day === undefined) return "year";
  return q.day === listed.day ? "exact" : "partial";
}

export function formatListDate(d: ListDate): string {
  const pad = (v: number) => String(v).padStart(2, "0");
  const base = d.month
    ? `${d.year}-${pad(d.month)}${d.day ? `-${pad(d.day)}` : ""}`
    : String(d.year);
  return `${d.approximate ? "circa " : ""}${base}${d.yearTo !== undefined ? `..${d.yearTo}` : ""}`;
}

function dobResult(q: QueryDate | undefined, entry: ListEntry): DobResult {
  if (!q || entry.datesOfBirth.length === 0) return "unknown";
  let best: DobResult = "conflict";
  for (const d of entry.datesOfBirth) {
    const r = compareDate(q, d);
    if (DOB_RANK[r] > DOB_RANK[best]) best = r;
  }
  return best;
}

function nationalityResult(query: string[], entry: ListEntry): NationalityResult {
  if (query.length === 0 || entry.nationalities.length === 0) return "unknown";
  const listed = entry.nationalities.map((n) => countryCode(n) ?? n.toLowerCase());
  return query.some((q) => listed.includes(q)) ? "agree" : "conflict";
}

const DOB_ADJUSTMENT: Record<DobResult, number> = {
  exact: DOB_EXACT,
  year: DOB_YEAR,
  partial: 0,
  near: 0,
  conflict: DOB_CONFLICT,
  unknown: 0,
};
const NATIONALITY_ADJUSTMENT: Record<NationalityResult, number> = {
  agree: NATIONALITY_AGREES,
  conflict: NATIONALITY_CONFLICT,
  unknown: 0,
};

/** A query tokenized and its facts parsed, once per screening. */
type PreparedQuery = {
  variants: Token[][];
  /** joinsOf() of each variant. */
  joins: Join[][];
  dob: QueryDate | undefined;
  nationalities: string[];
  types: Set<EntryType> | undefined;
};

function prepareQuery(query: ScreeningQuery): PreparedQuery {
  const variants = queryNameVariants(query.name);
  return {
    variants,
    joins: variants.map(joinsOf),
    dob: parseQueryDate(query.dateOfBirth),
    nationalities: (query.nationalities ?? []).map((n) => countryCode(n) ?? n.trim().toLowerCase()),
    types: query.types ? new Set(query.types) : undefined,
  };
}

function resolveThresholds(options: ScreenOptions): Thresholds {
  return { ...DEFAULT_THRESHOLDS, ...options.thresholds };
}

/** Indexes of the words covered by the paired units (words or joined runs). */
function pairedWords(units: number[], n: number, joins: readonly Join[]): Set<number> {
  const words = new Set<number>();
  for (const u of units) {
    if (u < n) words.add(u);
    else for (let i = joins[u - n]!.from; i < joins[u - n]!.to; i++) words.add(i);
  }
  return words;
}

/** Scores the given names (ids into list.names) and returns the best hit per entry. */
function scoreNames(
  list: PreparedList,
  ids: Iterable<number>,
  q: PreparedQuery,
  options: ScreenOptions,
): Hit[] {
  const thresholds = resolveThresholds(options);
  const minScore = options.minScore ?? thresholds.review;
  const best = new Map<number, { alignment: Alignment; nameId: number }>();
  for (const id of ids) {
    const name = list.names[id]!;
    if (q.types && !q.types.has(list.entries[name.entry]!.type)) continue;
    const alignment = bestAlignment(q.variants, q.joins, name.variants, nameJoins(name));
    if (!alignment) continue;
    const current = best.get(name.entry);
    if (!current || alignment.score > current.alignment.score)
      best.set(name.entry, { alignment, nameId: id });
  }

  const hits: Hit[] = [];
  for (const [entryIndex, { alignment, nameId }] of best) {
    // DOB and nationality can add at most this much: skip names that cannot reach minScore.
    if (alignment.score + DOB_EXACT + NATIONALITY_AGREES < minScore) continue;
    const entry = list.entries[entryIndex]!;
    const dob = dobResult(q.dob, entry);
    const nationality = nationalityResult(q.nationalities, entry);
    const adjustment = DOB_ADJUSTMENT[dob] + NATIONALITY_ADJUSTMENT[nationality];
    const score = Math.min(1, Math.max(0, alignment.score + adjustment));
    if (score < minScore) continue;
    const name = list.names[nameId]!;
    const pairs: [number, number, number][] = [];
    const { query, queryJoins, listed, listedJoins } = alignment;
    alignTokens(query, listed, pairs, queryJoins, listedJoins);
    const pairedQ = pairedWords(
      pairs.map(([u]) => u),
      query.length,
      queryJoins,
    );
    const pairedL = pairedWords(
      pairs.map(([, u]) => u),
      listed.length,
      listedJoins,
    );
    hits.push({
      entry,
      score,
      level:
        score >= thresholds.likely ? "likely" : score >= thresholds.review ? "review" : "below",
      matchedName: name.name,
      explanation: {
        matchedName: name.name,
        matchedAlias: name.isAlias,
        nameScore: alignment.score,
        pairs: pairs.map(([qu, lu, s]) => ({
          query: unitToken(query, queryJoins, qu).text,
          listed: unitToken(listed, listedJoins, lu).text,
          score: Math.round(s * 1000) / 1000,
        })),
        unmatchedQuery: query.filter((_, i) => !pairedQ.has(i)).map((t) => t.text),
        unmatchedListed: listed.filter((_, j) => !pairedL.has(j)).map((t) => t.text),
        dateOfBirth: { result: dob, listed: entry.datesOfBirth.map(formatListDate) },
        nationality: { result: nationality, listed: entry.nationalities },
        adjustment,
      },
    });
  }
  hits.sort((a, b) => b.score - a.score || a.entry.id.localeCompare(b.entry.id));
  return hits.slice(0, options.limit ?? 20);
}

/** Screens one person using the blocking index: scores only the candidate names. */
export function screen(
  index: ScreeningIndex,
  query: ScreeningQuery,
  options: ScreenOptions = {},
): Hit[] {
  const q = prepareQuery(query);
  if (q.variants[0]?.length === 0) return [];
  return scoreNames(index, candidateNames(index, q.variants, options, q.joins), q, options);
}

const prepared = new WeakMap<readonly ListEntry[], PreparedList>();

/**
 * Screens one person by scoring every name on the list with the same similarity as screen().
 * The reference for the blocking index's recall and speed; names are tokenized once per list
 * (cached), so a comparison measures scoring, not tokenizing.
 */
export function naiveScreen(
  entries: readonly ListEntry[],
  query: ScreeningQuery,
  options: ScreenOptions = {},
): Hit[] {
  let list = prepared.get(entries);
  if (!list) {
    list = prepareList(entries);
    prepared.set(entries, list);
  }
  const q = prepareQuery(query);
  if (q.variants[0]?.length === 0) return [];
  return scoreNames(list, list.names.keys(), q, options);
}
