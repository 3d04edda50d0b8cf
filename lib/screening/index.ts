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
 */
import { listVariants, tokenize, type Token } from "./normalize";
import type { ListEntry } from "./types";

/** One name or alias of an entry, tokenized once. */
export type PreparedName = {
  entry: number;
  /** As listed (natural order). */
  name: string;
  isAlias: boolean;
  variants: Token[][];
};

export type PreparedList = {
  entries: readonly ListEntry[];
  names: PreparedName[];
};

export type ScreeningIndex = PreparedList & {
  postings: Map<string, Int32Array>;
  idf: Map<string, number>;
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
      names.push({ entry: index, name, isAlias: i > 0, variants: listVariants(tokens) });
    }
  });
  return { entries, names };
}

/** Blocking keys of one token. */
export function tokenKeys(token: Token): string[] {
  const keys: string[] = [];
  if (!token.abjad) {
    keys.push("p" + token.fold.slice(0, 3));
    if (token.fold.length >= 5) keys.push("s" + token.fold.slice(-3));
  }
  if (token.skel.length > 0) keys.push("k" + token.skel.slice(0, 3));
  return keys;
}

function keysOf(variants: readonly Token[][]): Set<string> {
  const keys = new Set<string>();
  for (const variant of variants)
    for (const t of variant) for (const k of tokenKeys(t)) keys.add(k);
  return keys;
}

export function buildIndex(entries: readonly ListEntry[]): ScreeningIndex {
  const prepared = prepareList(entries);
  const lists = new Map<string, number[]>();
  prepared.names.forEach((name, id) => {
    for (const key of keysOf(name.variants)) {
      const list = lists.get(key);
      if (list) list.push(id);
      else lists.set(key, [id]);
    }
  });
  const postings = new Map<string, Int32Array>();
  const idf = new Map<string, number>();
  const total = prepared.names.length;
  for (const [key, ids] of lists) {
    postings.set(key, Int32Array.from(ids));
    idf.set(key, Math.log(1 + total / ids.length));
  }
  return { ...prepared, postings, idf };
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

/** Ids (into index.names) of the names worth scoring for a query's token variants. */
export function candidateNames(
  index: ScreeningIndex,
  queryVariants: readonly Token[][],
  options: CandidateOptions = {},
): number[] {
  const max = options.maxCandidates ?? DEFAULT_MAX_CANDIDATES;
  const minShare = options.minShare ?? DEFAULT_MIN_SHARE;
  if (accumulator.length < index.names.length) accumulator = new Float64Array(index.names.length);
  const acc = accumulator;
  const touched: number[] = [];
  for (const key of keysOf(queryVariants)) {
    const ids = index.postings.get(key);
    if (!ids) continue;
    const weight = index.idf.get(key) ?? 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (acc[id] === 0) touched.push(id);
      acc[id] = acc[id]! + weight;
    }
  }
  let best = 0;
  for (const id of touched) if (acc[id]! > best) best = acc[id]!;
  const floor = best * minShare;
  const kept = touched.filter((id) => acc[id]! >= floor);
  kept.sort((a, b) => acc[b]! - acc[a]!);
  for (const id of touched) acc[id] = 0;
  return kept.length > max ? kept.slice(0, max) : kept;
}
