/**
 * Country names as sanctions lists write them ("Korea, North", "Burma", "Palestinian") mapped to
 * ISO 3166 alpha-2, so a trader's nationality code can be compared with a list entry's. English
 * names come from the runtime's ICU data (Intl.DisplayNames); the table below adds the spellings
 * lists use that ICU does not.
 */
import anyAscii from "any-ascii";

const LIST_SPELLINGS: Record<string, string> = {
  "korea north": "KP",
  "north korea": "KP",
  "korea south": "KR",
  "south korea": "KR",
  burma: "MM",
  "congo democratic republic of the": "CD",
  "democratic republic of the congo": "CD",
  "congo republic of the": "CG",
  palestinian: "PS",
  palestine: "PS",
  "region gaza": "PS",
  "west bank": "PS",
  "north macedonia the republic of": "MK",
  macedonia: "MK",
  "the gambia": "GM",
  gambia: "GM",
  "cabo verde": "CV",
  "czech republic": "CZ",
  turkey: "TR",
  "hong kong": "HK",
  macau: "MO",
  macao: "MO",
  "cote d ivoire": "CI",
  "ivory coast": "CI",
  "united states": "US",
  usa: "US",
  "united kingdom": "GB",
  uk: "GB",
  "great britain": "GB",
  russia: "RU",
  "russian federation": "RU",
  "soviet union": "RU",
  iran: "IR",
  syria: "SY",
  laos: "LA",
  vietnam: "VN",
  "viet nam": "VN",
  "east timor": "TL",
  swaziland: "SZ",
  "holy see": "VA",
  kosovo: "XK",
  "bosnia herzegovina": "BA",
  "saint kitts nevis": "KN",
  "saint vincent grenadines": "VC",
  "antigua barbuda": "AG",
  "trinidad tobago": "TT",
  "sao tome principe": "ST",
  "turks caicos islands": "TC",
  "heard mcdonald islands": "HM",
  "saint pierre miquelon": "PM",
  "wallis futuna": "WF",
};

function key(name: string): string {
  return anyAscii(name)
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/\bst\.?\s/g, "saint ")
    .replace(/\([^)]*\)/g, " ")
    .replace(/[^a-z]+/g, " ")
    .replace(/\b(and|the|of)\b/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

let table: Map<string, string> | undefined;
let codes: Set<string> | undefined;

function countryTable(): Map<string, string> {
  if (table) return table;
  table = new Map();
  const display = new Intl.DisplayNames(["en"], { type: "region" });
  const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (const a of letters) {
    for (const b of letters) {
      const code = a + b;
      let name: string | undefined;
      try {
        name = display.of(code);
      } catch {
        name = undefined;
      }
      // Unknown codes come back unchanged; "SAR China" style suffixes are dropped by key().
      if (name && name !== code) {
        table.set(key(name), code);
        table.set(key(name.replace(/\s+SAR China$/, "")), code);
      }
    }
  }
  for (const [name, code] of Object.entries(LIST_SPELLINGS)) table.set(key(name), code);
  codes = new Set(table.values());
  return table;
}

/**
 * The ISO alpha-2 code for a country name or code, or undefined when it is not recognised.
 * Two-letter input is taken as a code when it is a known one.
 */
export function countryCode(nameOrCode: string): string | undefined {
  const trimmed = nameOrCode.trim();
  if (/^[A-Za-z]{2}$/.test(trimmed)) {
    countryTable();
    const code = trimmed.toUpperCase();
    if (codes?.has(code)) return code;
  }
  return countryTable().get(key(trimmed));
}
