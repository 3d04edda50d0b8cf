/**
 * Names as a machine-readable zone writes them (ICAO 9303 part 3, section 6): upper-case A–Z,
 * spaces and hyphens as `<`, and national characters transliterated by the table there (Ä → AE,
 * Ø → OE, ß → SS, …; other accents dropped). Several issuers use the plain form (Ü → U), so a
 * typed name is compared with both.
 */
import anyAscii from "any-ascii";

/** ICAO 9303's recommended transliterations where they differ from dropping the accent. */
const ICAO: Record<string, string> = {
  Ä: "AE",
  Æ: "AE",
  Å: "AA",
  Ö: "OE",
  Ø: "OE",
  Œ: "OE",
  Ü: "UE",
  ß: "SS",
  Þ: "TH",
  Ð: "D",
  Ĳ: "IJ",
  Ł: "L",
  Đ: "D",
  Ħ: "H",
  Ŋ: "N",
};

function toMrz(name: string, table: Record<string, string> | null): string {
  const upper = name.normalize("NFC").toLocaleUpperCase("en");
  let out = "";
  for (const ch of upper) out += (table && table[ch]) ?? anyAscii(ch).toUpperCase();
  return out
    .replace(/['’.,]/g, "")
    .replace(/[^A-Z]+/g, "<")
    .replace(/^<+|<+$/g, "");
}

/** The ICAO form of a name part, e.g. `Müller-Lüdenscheidt` → `MUELLER<LUEDENSCHEIDT`. */
export function mrzName(name: string): string {
  return toMrz(name, ICAO);
}

/** Every form an issuer may have written the typed name in. */
export function mrzNameVariants(name: string): string[] {
  return [...new Set([toMrz(name, ICAO), toMrz(name, null)])];
}
