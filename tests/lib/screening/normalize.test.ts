import {
  joinsOf,
  normalizeName,
  normalizeWords,
  queryNameVariants,
  listVariants,
  splitCamelCase,
  tokenize,
  transliterate,
} from "@/lib/screening/normalize";
import { jaro, jaroWinkler } from "@/lib/screening/jaro-winkler";

describe("normalization", () => {
  it("lowercases and strips diacritics and punctuation", () => {
    expect(normalizeName("  José-María  ÑÚÑEZ,  Jr. ")).toBe("jose maria nunez");
    expect(normalizeName("Anna Müller-Lüdenscheidt")).toBe("anna muller ludenscheidt");
    expect(normalizeName("Søren Ørsted, Łódź")).toBe("soren orsted lodz");
  });

  it("transliterates Cyrillic to the spelling lists use", () => {
    expect(normalizeName("Путин Владимир Владимирович")).toBe("putin vladimir vladimirovich");
    expect(normalizeName("Черепенников Антон")).toBe("cherepennikov anton");
  });

  it("transliterates Greek", () => {
    expect(normalizeName("Αλέξης Τσίπρας")).toBe("alexis tsipras");
    expect(normalizeName("Ελένη Παπαδοπούλου")).toBe("eleni papadopoulou");
  });

  it("transliterates Arabic and marks it as written without short vowels", () => {
    const tokens = tokenize("محمد حسن");
    expect(tokens.map((t) => t.raw)).toEqual(["mhmd", "hsn"]);
    expect(tokens.every((t) => t.abjad)).toBe(true);
    // The consonant skeleton of the Latin spelling is the same.
    expect(tokenize("Mohammed Hassan").map((t) => t.skel)).toEqual(["mhmd", "hsn"]);
  });

  it("splits Chinese and Korean into one token per syllable", () => {
    expect(transliterate("张伟").trim().toLowerCase().split(/\s+/)).toEqual(["zhang", "wei"]);
    expect(normalizeName("王小明")).toBe("wang xiao ming");
    expect(normalizeName("김정은")).toBe("gim jeong eun");
  });

  it("drops honorifics, legal forms and connecting words but never empties a name", () => {
    expect(normalizeWords("Mr. Dr. John SMITH")).toEqual(["john", "smith"]);
    expect(normalizeWords("BANCO NACIONAL DE CUBA, S.A.")).toEqual(["banco", "nacional", "cuba"]);
    expect(normalizeWords("The")).toEqual(["the"]);
  });

  it("keeps Arabic particles and joins apostrophes into the word", () => {
    expect(normalizeWords("Abd Al-Ra'Ouf AL-TIKRITI")).toEqual([
      "abd",
      "al",
      "raouf",
      "al",
      "tikriti",
    ]);
  });

  it("folds transliteration variants of one sound to one spelling", () => {
    const [a, b] = [tokenize("Mokhammed")[0]!, tokenize("Mohammed")[0]!];
    expect(a.fold).toBe(b.fold);
    expect(tokenize("Yusuf")[0]!.fold).toBe(tokenize("Iusuf")[0]!.fold);
    expect(tokenize("Dzhamal")[0]!.fold).toBe(tokenize("Jamal")[0]!.fold);
  });

  it("offers the joined form of particles as a listed-name variant", () => {
    const listed = listVariants(tokenize("Ahmed AL-TIKRITI")).map((v) => v.map((t) => t.raw));
    expect(listed).toEqual([
      ["ahmed", "al", "tikriti"],
      ["ahmed", "altikriti"],
    ]);
  });

  it("offers each run of two or three neighbouring words written as one", () => {
    const runs = joinsOf(tokenize("Xiao Ming Wang")).map((j) => [j.token.raw, j.token.text]);
    expect(runs).toEqual([
      ["xiaoming", "xiao ming"],
      ["xiaomingwang", "xiao ming wang"],
      ["mingwang", "ming wang"],
    ]);
    const run = joinsOf(tokenize("MARTINEZ LOPEZ"))[0]!;
    expect(run).toMatchObject({ from: 0, to: 2 });
    // Blocking keys use forms pieced together from the words: they agree with the joined token.
    expect(run.forms()).toEqual({ fold: "martinezlopez", skel: "mrtnzlpz", abjad: false });
    expect(run.token).toMatchObject({ raw: "martinezlopez", fold: "martinezlopez", joined: true });
    expect(run.token.skel).toBe("mrtnzlpz");
  });

  it("never joins initials into a word", () => {
    expect(joinsOf(tokenize("J R Tolkien")).map((j) => j.token.raw)).toEqual([]);
    expect(joinsOf(tokenize("Kim J Un")).map((j) => j.token.raw)).toEqual([]);
  });

  it("joins the connecting words it drops, with and without them", () => {
    const tokens = tokenize("Pedro GARCIA DE LA FUENTE");
    expect(tokens.map((t) => [t.raw, t.gap])).toEqual([
      ["pedro", ""],
      ["garcia", ""],
      ["fuente", "de la"],
    ]);
    const runs = joinsOf(tokens).map((j) => j.token.text);
    expect(runs).toContain("garcia fuente");
    expect(runs).toContain("garcia de la fuente");
    expect(joinsOf(tokenize("Tom DE GEETERE")).map((j) => j.token.raw)).toContain("degeetere");
  });

  it("splits camel case into words as a further query variant", () => {
    expect(splitCamelCase("Juan MartinezLopez")).toBe("Juan Martinez Lopez");
    expect(splitCamelCase("Juan MARTINEZLOPEZ")).toBeUndefined();
    const variants = queryNameVariants("Juan MartinezLopez").map((v) => v.map((t) => t.raw));
    expect(variants).toEqual([
      ["juan", "martinezlopez"],
      ["juan", "martinez", "lopez"],
    ]);
  });
});

describe("Jaro-Winkler", () => {
  it("matches the published reference values", () => {
    expect(jaro("martha", "marhta")).toBeCloseTo(0.944, 3);
    expect(jaroWinkler("martha", "marhta")).toBeCloseTo(0.961, 3);
    expect(jaroWinkler("dwayne", "duane")).toBeCloseTo(0.84, 2);
    expect(jaroWinkler("dixon", "dicksonx")).toBeCloseTo(0.813, 3);
  });

  it("is 1 for equal strings, 0 for nothing in common, and symmetric", () => {
    expect(jaroWinkler("ali", "ali")).toBe(1);
    expect(jaroWinkler("abc", "xyz")).toBe(0);
    expect(jaroWinkler("", "abc")).toBe(0);
    expect(jaroWinkler("quintero", "qintero")).toBeCloseTo(jaroWinkler("qintero", "quintero"), 12);
  });

  it("still compares three-letter names (a typo in 'khan' is not a stranger)", () => {
    expect(jaroWinkler("hn", "han")).toBeGreaterThan(0.85);
  });
});
