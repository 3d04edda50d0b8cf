/**
 * Name normalization for screening. Lists and traders write the same name in different scripts,
 * cases, orders and spellings ("Путин", "PUTIN, Vladimir", "Poutine"); everything here turns a
 * name into comparable lowercase ASCII tokens so the matcher can compare like with like.
 *
 * - any-ascii transliterates Cyrillic, Greek, Arabic, Hebrew, CJK and the rest; Han and Hangul
 *   characters are one syllable each, so they are split into one token per character
 *   ("张伟" → "zhang wei") and the matcher re-joins neighbours ("xiao ming" ↔ "xiaoming").
 * - People write compound names joined or split as they please ("MARTINEZ LOPEZ" ↔
 *   "MartinezLopez", "NASRALLAH" ↔ "Nasr Allah"), so each run of two or three neighbouring words
 *   is also offered written as one (see joinsOf), on the list side and the query side alike.
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
  /** As a reader should see it: the words a joined token was made of, with spaces. */
  text: string;
  /** Connecting words dropped just before this word ("de la" in "garcia de la fuente"). */
  gap: string;
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

/**
 * Connecting words that people also write joined into the name around them ("Garcia de la
 * Fuente" ↔ "Garciadelafuente"): dropped as words, but kept for the joined forms.
 */
const CONNECTING = new Set([
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
]);

/** Legal forms and connecting words: they say nothing about who an entry is. */
const STOPWORDS = new Set([
  "the",
  "of",
  "and",
  "y",
  ...CONNECTING,
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
 * The words of a name that are kept (honorifics and stopwords dropped, unless nothing would be
 * left), each with the connecting words dropped just before it ("" if none).
 */
function keptWords(name: string): { words: string[]; gaps: string[] } {
  const all = words(name);
  const kept: string[] = [];
  const gaps: string[] = [];
  let gap = "";
  for (const w of all) {
    if (HONORIFICS.has(w)) continue;
    if (STOPWORDS.has(w)) {
      if (CONNECTING.has(w)) gap = gap === "" ? w : `${gap} ${w}`;
      continue;
    }
    kept.push(w);
    gaps.push(gap);
    gap = "";
  }
  return kept.length > 0 ? { words: kept, gaps } : { words: all, gaps: all.map(() => "") };
}

/**
 * Normalized words of a name: lowercase ASCII, no diacritics or punctuation, honorifics and
 * stopwords dropped (unless nothing would be left).
 */
export function normalizeWords(name: string): string[] {
  return keptWords(name).words;
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

function foldBase(based: string): string {
  return based
    .replace(/w/g, "v")
    .replace(/y/g, "i")
    .replace(/ou|oo/g, "u")
    .replace(/ee/g, "i")
    .replace(/(.)\1+/g, "$1");
}

function skeletonBase(based: string): string {
  return based.replace(/[aeiouwy]/g, "").replace(/(.)\1+/g, "$1");
}

export function foldWord(word: string): string {
  return foldBase(base(word));
}

export function skeletonWord(word: string): string {
  return skeletonBase(base(word));
}

function token(raw: string, abjad: boolean, joined = false, text = raw, gap = ""): Token {
  const weight = PARTICLES.has(raw) ? 0.4 : raw.length === 1 ? 0.5 : 1;
  const based = base(raw);
  return {
    raw,
    fold: foldBase(based),
    skel: skeletonBase(based),
    abjad,
    weight,
    joined,
    text,
    gap,
  };
}

/** Tokens of a name (see normalizeWords), each with its comparable forms. */
export function tokenize(name: string): Token[] {
  const abjad = ABJAD.test(name);
  const kept = keptWords(name);
  return kept.words.map((w, i) => token(w, abjad, false, w, kept.gaps[i]));
}

/**
 * Camel case marks where a trader ran words together ("MartinezLopez", "AbdulRahman"): the name
 * with a space at each such boundary, or undefined when there is none.
 */
export function splitCamelCase(name: string): string | undefined {
  const split = name.replace(/(\p{Ll})(?=\p{Lu})/gu, "$1 ");
  return split === name ? undefined : split;
}

/**
 * tokens[from..to) written as one word; `gaps` also writes the connecting words between them,
 * `lead` those before the first ("de geetere" → "degeetere").
 */
function joined(
  tokens: readonly Token[],
  from: number,
  to: number,
  gaps = false,
  lead = false,
): Token {
  let raw = "";
  let text = "";
  let abjad = false;
  for (let i = from; i < to; i++) {
    const t = tokens[i]!;
    if (t.gap !== "" && (i > from ? gaps : lead)) {
      raw += t.gap.replace(/ /g, "");
      text += t.gap + " ";
    }
    raw += t.raw;
    text += i + 1 < to ? t.text + " " : t.text;
    abjad ||= t.abjad;
  }
  return token(raw, abjad, true, text);
}

/** The comparable forms blocking keys are made of. */
export type Forms = Pick<Token, "fold" | "skel" | "abjad">;

/**
 * A run of neighbouring words (tokens[from..to)) written as one word, with the connecting words
 * between them (`gaps`) and before them (`lead`) or without.
 */
export class Join {
  private made: Token | undefined;
  /** Letters of the run as written. */
  readonly rawLength: number;
  /**
   * Bounds of the length of its folded spelling, known without making the token: folding the
   * joined word can only merge letters across a boundary ("abdul lah" → "abdulah"), at most two
   * per boundary ("dz|h" → "j").
   */
  readonly foldMax: number;
  readonly foldMin: number;
  /** Some word of it is from a script without short vowels (compared by skeleton). */
  readonly abjad: boolean;

  constructor(
    private readonly tokens: readonly Token[],
    readonly from: number,
    readonly to: number,
    readonly gaps = false,
    readonly lead = false,
  ) {
    let raw = 0;
    let fold = 0;
    let pieces = 0;
    let abjad = false;
    for (let i = from; i < to; i++) {
      const t = tokens[i]!;
      if (t.gap !== "" && (i > from ? gaps : lead)) {
        for (const w of t.gap.split(" ")) {
          raw += w.length;
          fold += foldWord(w).length;
          pieces++;
        }
      }
      raw += t.raw.length;
      fold += t.fold.length;
      pieces++;
      abjad ||= t.abjad;
    }
    this.rawLength = raw;
    this.foldMax = fold;
    this.foldMin = fold - 2 * (pieces - 1);
    this.abjad = abjad;
  }

  /** The run as one token, made on first use: most runs of a list are never compared. */
  get token(): Token {
    return (this.made ??= joined(this.tokens, this.from, this.to, this.gaps, this.lead));
  }

  /**
   * Spelling and skeleton of the run pieced together from its words', without tokenizing it:
   * enough for blocking keys, which look at three letters at either end. (Spelling rules that
   * span the words' boundary can make these differ from the token's in the middle.)
   */
  forms(): Forms {
    let fold = "";
    let skel = "";
    let abjad = false;
    for (let i = this.from; i < this.to; i++) {
      const t = this.tokens[i]!;
      if (t.gap !== "" && (i > this.from ? this.gaps : this.lead)) {
        const gap = t.gap.replace(/ /g, "");
        fold += foldWord(gap);
        skel += skeletonWord(gap);
      }
      fold += t.fold;
      skel += t.skel;
      abjad ||= t.abjad;
    }
    return { fold, skel, abjad };
  }
}

/** Longest run of words that is also tried written as one ("garcia lopez ruiz"). */
const MAX_JOIN = 3;

/**
 * Each run of two or three neighbouring words of a token list written as one word, with and
 * without the connecting words between and before them ("garcia de la fuente" → "garciafuente",
 * "garciadelafuente"; "tom de geetere" → "degeetere"). Initials are never part of a run: "J R"
 * is not a word "jr".
 */
export function joinsOf(tokens: readonly Token[]): Join[] {
  const out: Join[] = [];
  for (let from = 0; from < tokens.length; from++) {
    if (tokens[from]!.raw.length < 2) continue;
    const lead = tokens[from]!.gap !== "";
    if (lead) out.push(new Join(tokens, from, from + 1, true, true));
    let gaps = false;
    for (let to = from + 2; to <= Math.min(tokens.length, from + MAX_JOIN); to++) {
      if (tokens[to - 1]!.raw.length < 2) break;
      gaps ||= tokens[to - 1]!.gap !== "";
      out.push(new Join(tokens, from, to));
      if (gaps) out.push(new Join(tokens, from, to, true));
      if (lead) out.push(new Join(tokens, from, to, true, true));
    }
  }
  return out;
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
 * A query's token lists: the listed-name particle joins as for listed names. Neighbours written
 * as one ("xiao ming" ↔ "xiaoming") are not variants: the matcher pairs joinsOf() runs on both
 * sides inside one alignment.
 */
export function queryVariants(tokens: readonly Token[]): Token[][] {
  return listVariants(tokens);
}

/**
 * A query name's token lists: queryVariants of the name, and of the name split at camel-case
 * boundaries when it has any ("Juan MartinezLopez" → "juan martinez lopez").
 */
export function queryNameVariants(name: string): Token[][] {
  const out = queryVariants(tokenize(name));
  const split = splitCamelCase(name);
  if (split === undefined) return out;
  const seen = new Set(out.map((v) => v.map((t) => t.raw).join(" ")));
  for (const variant of queryVariants(tokenize(split))) {
    const key = variant.map((t) => t.raw).join(" ");
    if (!seen.has(key)) out.push(variant);
    seen.add(key);
  }
  return out;
}
