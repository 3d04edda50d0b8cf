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
 */
import { jaroWinkler } from "./jaro-winkler";
import {
  buildIndex,
  candidateNames,
  prepareList,
  type PreparedList,
  type ScreeningIndex,
  type CandidateOptions,
} from "./index";
import { countryCode } from "./countries";
import { queryVariants, tokenize, type Token } from "./normalize";
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

type Alignment = {
  score: number;
  query: readonly Token[];
  listed: readonly Token[];
};

let sims = new Float64Array(64);
let usedQ = new Uint8Array(16);
let usedL = new Uint8Array(16);

/**
 * Score of the best one-to-one pairing of query words with listed words (greedy on similarity).
 * This is the hot path of screening: it allocates nothing unless `pairsOut` asks for the pairs
 * (as [queryIndex, listedIndex, similarity] triples) to explain a hit.
 */
export function alignTokens(
  query: readonly Token[],
  listed: readonly Token[],
  pairsOut?: [number, number, number][],
): number {
  const n = query.length;
  const m = listed.length;
  if (sims.length < n * m) sims = new Float64Array(n * m * 2);
  if (usedQ.length < n) usedQ = new Uint8Array(n * 2);
  if (usedL.length < m) usedL = new Uint8Array(m * 2);
  usedQ.fill(0, 0, n);
  usedL.fill(0, 0, m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) sims[i * m + j] = tokenSimilarity(query[i]!, listed[j]!);
  }
  let matched = 0;
  for (;;) {
    let best = PAIR_FLOOR;
    let bi = -1;
    let bj = -1;
    for (let i = 0; i < n; i++) {
      if (usedQ[i]) continue;
      for (let j = 0; j < m; j++) {
        if (usedL[j]) continue;
        const s = sims[i * m + j]!;
        // Ties go to the heavier query word, so "al" does not take a surname's partner.
        if (s > best || (s === best && bi >= 0 && query[i]!.weight > query[bi]!.weight)) {
          best = s;
          bi = i;
          bj = j;
        }
      }
    }
    if (bi < 0) break;
    usedQ[bi] = 1;
    usedL[bj] = 1;
    // A pair counts with the lighter of its two words: an initial vouches for less than a name.
    matched += Math.min(query[bi]!.weight, listed[bj]!.weight) * best;
    pairsOut?.push([bi, bj, best]);
  }
  let queryWeight = 0;
  let missing = 0;
  for (let i = 0; i < n; i++) queryWeight += query[i]!.weight;
  for (let j = 0; j < m; j++) if (!usedL[j]) missing += listed[j]!.weight;
  const charge =
    MISSING_FIRST_WORD * Math.min(missing, 1) + MISSING_FURTHER_WORDS * Math.max(0, missing - 1);
  const denominator = queryWeight + charge;
  return denominator > 0 ? matched / denominator : 0;
}

/** Best alignment over the query's and the listed name's variants. */
function bestAlignment(
  qVariants: readonly Token[][],
  lVariants: readonly Token[][],
): Alignment | undefined {
  let best: Alignment | undefined;
  for (const q of qVariants) {
    for (const l of lVariants) {
      const score = alignTokens(q, l);
      if (!best || score > best.score) best = { score, query: q, listed: l };
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
  dob: QueryDate | undefined;
  nationalities: string[];
  types: Set<EntryType> | undefined;
};

function prepareQuery(query: ScreeningQuery): PreparedQuery {
  return {
    variants: queryVariants(tokenize(query.name)),
    dob: parseQueryDate(query.dateOfBirth),
    nationalities: (query.nationalities ?? []).map((n) => countryCode(n) ?? n.trim().toLowerCase()),
    types: query.types ? new Set(query.types) : undefined,
  };
}

function resolveThresholds(options: ScreenOptions): Thresholds {
  return { ...DEFAULT_THRESHOLDS, ...options.thresholds };
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
    const alignment = bestAlignment(q.variants, name.variants);
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
    alignTokens(alignment.query, alignment.listed, pairs);
    const pairedQ = new Set(pairs.map(([i]) => i));
    const pairedL = new Set(pairs.map(([, j]) => j));
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
        pairs: pairs.map(([i, j, s]) => ({
          query: alignment.query[i]!.raw,
          listed: alignment.listed[j]!.raw,
          score: Math.round(s * 1000) / 1000,
        })),
        unmatchedQuery: alignment.query.filter((_, i) => !pairedQ.has(i)).map((t) => t.raw),
        unmatchedListed: alignment.listed.filter((_, j) => !pairedL.has(j)).map((t) => t.raw),
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
  return scoreNames(index, candidateNames(index, q.variants, options), q, options);
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
