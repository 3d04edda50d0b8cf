/**
 * Name normalization for screening. Lists and traders write the same name in different scripts,
 * cases, orders and spellings ("Путин", "PUTIN, Vladimir", "Poutine"); everything here turns a
 * name into comparable lowercase ASCII tokens so the matcher can compare like with like.
 *
 * - any-ascii transliterates Cyrillic, Greek, Arabic, Hebrew, CJK and the rest; Han and Hangul
 *   characters are one syllable each, so they are split into one token per character
 *   ("张伟" → "zhang wei") and the matcher re-joins neighbours ("xiao ming" ↔ "xiaoming").
 * - Arabic and Hebrew are written without short vowels ("محمد" → "mhmd"); such tokens are marked
 *   `abjad` and compared by their consonant skeleton.
 * - Honorifics, legal forms and connecting words are dropped; Arabic particles (al, bin, abu, abd)
 *   are meaningful and kept, with a joined form ("al tikriti" ↔ "altikriti") as a second variant.
 */
import anyAscii from "any-ascii";

/** One token in its three comparable forms. */
export type Token = {
  /** Lowercase ASCII as written. */
  raw: string;
  /** Spelling-folded (kh→h, w→v, y→i, doubled letters once): transliteration variants agree. */
  fold: string;
  /** Consonants only: what Arabic script writes, and a typo-tolerant blocking key. */
  skel: string;
  /** Transliterated from a script that omits short vowels. */
  abjad: boolean;
  /** Share of the name this token carries: particles and initials count less. */
  weight: number;
  /** Made by joining neighbouring words; pairs only with a word of about its length. */
  joined: boolean;
};

const HONORIFICS = new Set([
  "mr",
  "mrs",
  "ms",
  "miss",
  "mx",
  "dr",
  "prof",
  "sir",
  "madam",
  "mme",
  "mlle",
  "herr",
  "frau",
  "sr",
  "sra",
  "srta",
  "jr",
  "ii",
  "iii",
  "iv",
]);

/** Legal forms and connecting words: they say nothing about who an entry is. */
const STOPWORDS = new Set([
  "the",
  "of",
  "and",
  "y",
  "de",
  "del",
  "la",
  "los",
  "las",
  "van",
  "von",
  "der",
  "den",
  "du",
  "dos",
  "das",
  "ltd",
  "llc",
  "inc",
  "corp",
  "co",
  "company",
  "limited",
  "corporation",
  "sa",
  "sas",
  "sarl",
  "srl",
  "spa",
  "gmbh",
  "ag",
  "bv",
  "nv",
  "plc",
  "pte",
  "pty",
  "ooo",
  "zao",
  "oao",
  "pao",
  "ao",
  "jsc",
  "ojsc",
  "cjsc",
  "fze",
  "fzco",
  "fzc",
  "llp",
  "lp",
]);

/** Name particles that are part of the name but are often written joined to the next word. */
const PARTICLES = new Set([
  "al",
  "el",
  "ul",
  "ad",
  "ar",
  "as",
  "at",
  "az",
  "an",
  "ash",
  "abd",
  "abdel",
  "abdul",
  "abu",
  "bin",
  "ibn",
  "ben",
  "bint",
  "ould",
  "mac",
  "mc",
]);

const ABJAD = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}]/u;
const SYLLABIC = /[\p{Script=Han}\p{Script=Hangul}]/gu;

/** Transliterates to ASCII, one token per Han/Hangul syllable. */
export function transliterate(text: string): string {
  const spaced = text
    .normalize("NFC")
    .replace(SYLLABIC, (c) => ` ${c} `)
    .normalize("NFD");
  // Greek "ου" is one sound, "ou" (any-ascii writes it letter by letter as "oy"). NFD keeps an
  // accent from sitting between the two letters.
  const greek = spaced.replace(/ου/g, "ou").replace(/Ου/g, "Ou").replace(/ΟΥ/g, "OU");
  return anyAscii(greek.normalize("NFC"));
}

/** Lowercase ASCII words of `text`, before any words are dropped. */
function words(text: string): string[] {
  return (
    transliterate(text)
      .toLowerCase()
      // "S.A.", "M.R.O." → "sa", "mro": dotted abbreviations are one word.
      .replace(/\b(?:[a-z0-9]\.){2,}/g, (m) => m.replace(/\./g, ""))
      // Apostrophes and the ayn/hamza marks any-ascii writes (` and ') join: "Ra'Ouf" → "raouf".
      .replace(/['`\u2018\u2019\u02bc\u02bb]/g, "")
      .replace(/[^a-z0-9]+/g, " ")
      .trim()
      .split(" ")
      .filter((w) => w !== "")
  );
}

/**
 * Normalized words of a name: lowercase ASCII, no diacritics or punctuation, honorifics and
 * stopwords dropped (unless nothing would be left).
 */
export function normalizeWords(name: string): string[] {
  const all = words(name);
  const kept = all.filter((w) => !HONORIFICS.has(w) && !STOPWORDS.has(w));
  return kept.length > 0 ? kept : all;
}

/** The normalized name as one string, e.g. for display or equality. */
export function normalizeName(name: string): string {
  return normalizeWords(name).join(" ");
}

/** Spelling rules shared by fold and skeleton: transliteration variants of one sound. */
function base(word: string): string {
  return word
    .replace(/dzh|dj/g, "j")
    .replace(/kh/g, "h")
    .replace(/ph/g, "f")
    .replace(/sch/g, "sh")
    .replace(/tch/g, "ch")
    .replace(/ck/g, "k")
    .replace(/q/g, "k")
    .replace(/x/g, "ks")
    .replace(/c(?!h)/g, "k");
}

export function foldWord(word: string): string {
  return base(word)
    .replace(/w/g, "v")
    .replace(/y/g, "i")
    .replace(/ou|oo/g, "u")
    .replace(/ee/g, "i")
    .replace(/(.)\1+/g, "$1");
}

export function skeletonWord(word: string): string {
  return base(word)
    .replace(/[aeiouwy]/g, "")
    .replace(/(.)\1+/g, "$1");
}

function token(raw: string, abjad: boolean, joined = false): Token {
  const weight = PARTICLES.has(raw) ? 0.4 : raw.length === 1 ? 0.5 : 1;
  return { raw, fold: foldWord(raw), skel: skeletonWord(raw), abjad, weight, joined };
}

/** Tokens of a name (see normalizeWords), each with its comparable forms. */
export function tokenize(name: string): Token[] {
  const abjad = ABJAD.test(name);
  return normalizeWords(name).map((w) => token(w, abjad));
}

function joined(tokens: readonly Token[], from: number, to: number): Token {
  const parts = tokens.slice(from, to);
  return token(
    parts.map((t) => t.raw).join(""),
    parts.some((t) => t.abjad),
    true,
  );
}

/**
 * A listed name's token lists: as written, plus (when it has particles) each particle joined to
 * the word after it ("abd al rahman" → "abdalrahman").
 */
export function listVariants(tokens: readonly Token[]): Token[][] {
  const out: Token[][] = [tokens.slice()];
  if (!tokens.some((t) => PARTICLES.has(t.raw))) return out;
  const merged: Token[] = [];
  let i = 0;
  while (i < tokens.length) {
    let j = i + 1;
    while (j < tokens.length && PARTICLES.has(tokens[j - 1]!.raw)) j++;
    merged.push(j - i > 1 ? joined(tokens, i, j) : tokens[i]!);
    i = j;
  }
  if (merged.length < tokens.length && merged.length > 0) out.push(merged);
  return out;
}

/**
 * A query's token lists: as written, each pair of neighbours joined ("xiao ming" → "xiaoming",
 * "al tikriti" → "altikriti"), and the listed-name particle joins.
 */
export function queryVariants(tokens: readonly Token[]): Token[][] {
  const out = listVariants(tokens);
  if (tokens.length >= 2 && tokens.length <= 8) {
    for (let i = 0; i + 1 < tokens.length; i++) {
      out.push([...tokens.slice(0, i), joined(tokens, i, i + 2), ...tokens.slice(i + 2)]);
    }
  }
  return out;
}
