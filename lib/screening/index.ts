/**
 * The blocking index: which listed names are worth scoring for a query. Scoring every name on a
 * 15,000-entry list with Jaro-Winkler for each screening is too slow to run on every submission
 * and every list update, so each name token is filed under a few short keys that survive typos
 * and transliteration, and a screening scores only the names that share the rarest keys with it.
 *
 * Keys per token: its first three letters (folded spelling), its last three (a typo near the
 * start leaves the end intact), and the first three consonants of its skeleton (vowel changes,
 * transliteration and vowel-less Arabic script). Keys are weighted by rarity (IDF), so "al" or
 * "mohammed" pull in little on their own and a surname key decides.
 *
 * Runs of neighbouring words written as one (joinsOf) are keyed too, on both sides: a joined
 * word shares its first word's prefix and skeleton and its last word's suffix, so "martinezlopez"
 * and "martinez lopez" meet on most keys anyway, but a short first word ("xiao ming" ↔
 * "xiaoming", "al tikriti" ↔ "altikriti") has keys only the joined form carries. As in the
 * matcher, a run meets only single words of the other side: a listed run's own keys are filed
 * apart (runPostings) and looked up by the query's word keys alone, and the query's run keys
 * look up listed words alone. Two runs sharing a key say nothing ("lukas chen" and "luqian shen"
 * both end in "hen" only because "chen" and "shen" do).
 */
import { joinsOf, listVariants, tokenize, type Forms, type Join, type Token } from "./normalize";
import type { ListEntry } from "./types";

/** One name or alias of an entry, tokenized once. */
export type PreparedName = {
  entry: number;
  /** As listed (natural order). */
  name: string;
  isAlias: boolean;
  variants: Token[][];
  /** See nameJoins(): made when the name is first scored, since most names never are. */
  joins: (readonly Join[])[] | undefined;
};

export type PreparedList = {
  entries: readonly ListEntry[];
  names: PreparedName[];
};

export type ScreeningIndex = PreparedList & {
  /** Names by the keys of their words, and each key's weight. */
  postings: Map<string, Int32Array>;
  idf: Map<string, number>;
  /** Names by the keys of their joined runs that none of their words has. */
  runPostings: Map<string, Int32Array>;
  runIdf: Map<string, number>;
};

export function prepareList(entries: readonly ListEntry[]): PreparedList {
  const names: PreparedName[] = [];
  entries.forEach((entry, index) => {
    const seen = new Set<string>();
    for (const [i, name] of [entry.name, ...entry.aliases].entries()) {
      const tokens = tokenize(name);
      const key = tokens.map((t) => t.raw).join(" ");
      if (tokens.length === 0 || seen.has(key)) continue;
      seen.add(key);
      // `joins` is there from the start so that all names keep one shape for the hot path.
      const variants = listVariants(tokens);
      names.push({ entry: index, name, isAlias: i > 0, variants, joins: undefined });
    }
  });
  return { entries, names };
}

const NO_JOINS: readonly Join[] = [];

/**
 * joinsOf() of each variant of a listed name: of the name as written only, since the other
 * variants just join its particles, which its runs already do.
 */
export function nameJoins(name: PreparedName): (readonly Join[])[] {
  return (name.joins ??= name.variants.map((v, k) => (k === 0 ? joinsOf(v) : NO_JOINS)));
}

/** Blocking keys of one token. */
export function tokenKeys(token: Forms): string[] {
  const keys: string[] = [];
  if (!token.abjad) {
    keys.push("p" + token.fold.slice(0, 3));
    if (token.fold.length >= 5) keys.push("s" + token.fold.slice(-3));
  }
  if (token.skel.length > 0) keys.push("k" + token.skel.slice(0, 3));
  return keys;
}

/** Keys of the words of each variant, and those of their joined runs that no word has. */
function keysOf(
  variants: readonly Token[][],
  joins: readonly (readonly Join[])[],
): { words: Set<string>; joins: Set<string> } {
  const words = new Set<string>();
  const joined = new Set<string>();
  for (const variant of variants)
    for (const t of variant) for (const k of tokenKeys(t)) words.add(k);
  for (const runs of joins)
    for (const run of runs)
      for (const k of tokenKeys(run.forms())) if (!words.has(k)) joined.add(k);
  return { words, joins: joined };
}

function collect(): {
  file: (key: string, id: number) => void;
  finish: (total: number) => [Map<string, Int32Array>, Map<string, number>];
} {
  const lists = new Map<string, number[]>();
  return {
    file: (key, id) => {
      const list = lists.get(key);
      if (list) list.push(id);
      else lists.set(key, [id]);
    },
    finish: (total) => {
      const postings = new Map<string, Int32Array>();
      const idf = new Map<string, number>();
      for (const [key, ids] of lists) {
        postings.set(key, Int32Array.from(ids));
        idf.set(key, Math.log(1 + total / ids.length));
      }
      return [postings, idf];
    },
  };
}

export function buildIndex(entries: readonly ListEntry[]): ScreeningIndex {
  const prepared = prepareList(entries);
  const words = collect();
  const runs = collect();
  prepared.names.forEach((name, id) => {
    // The runs are needed for their keys only: they are made again if the name is scored.
    const keys = keysOf(name.variants, [joinsOf(name.variants[0]!)]);
    for (const key of keys.words) words.file(key, id);
    for (const key of keys.joins) runs.file(key, id);
  });
  const total = prepared.names.length;
  const [postings, idf] = words.finish(total);
  const [runPostings, runIdf] = runs.finish(total);
  return { ...prepared, postings, idf, runPostings, runIdf };
}

export type CandidateOptions = {
  /** At most this many names are scored per screening. */
  maxCandidates?: number;
  /** A name must share at least this share of the best candidate's key weight. */
  minShare?: number;
};

export const DEFAULT_MAX_CANDIDATES = 200;
const DEFAULT_MIN_SHARE = 0.4;

let accumulator = new Float64Array(0);

/**
 * Ids (into index.names) of the names worth scoring for a query's token variants and their
 * joined runs (joinsOf() of each variant unless given).
 */
export function candidateNames(
  index: ScreeningIndex,
  queryVariants: readonly Token[][],
  options: CandidateOptions = {},
  queryJoins: readonly (readonly Join[])[] = queryVariants.map(joinsOf),
): number[] {
  const max = options.maxCandidates ?? DEFAULT_MAX_CANDIDATES;
  const minShare = options.minShare ?? DEFAULT_MIN_SHARE;
  if (accumulator.length < index.names.length) accumulator = new Float64Array(index.names.length);
  const acc = accumulator;
  const touched: number[] = [];
  const add = (key: string, postings: Map<string, Int32Array>, idf: Map<string, number>) => {
    const ids = postings.get(key);
    if (!ids) return;
    const weight = idf.get(key) ?? 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (acc[id] === 0) touched.push(id);
      acc[id] = acc[id]! + weight;
    }
  };
  const { words, joins } = keysOf(queryVariants, queryJoins);
  // A listed name files a key either as a word's or as a run's, never both: no double counting.
  for (const key of words) {
    add(key, index.postings, index.idf);
    add(key, index.runPostings, index.runIdf);
  }
  for (const key of joins) add(key, index.postings, index.idf);
  let best = 0;
  for (const id of touched) if (acc[id]! > best) best = acc[id]!;
  const floor = best * minShare;
  const kept = touched.filter((id) => acc[id]! >= floor);
  kept.sort((a, b) => acc[b]! - acc[a]!);
  for (const id of touched) acc[id] = 0;
  return kept.length > max ? kept.slice(0, max) : kept;
}
