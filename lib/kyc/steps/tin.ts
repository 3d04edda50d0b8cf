/**
 * Taxpayer identification number (TIN) format checks for the countries most brokers serve, with
 * the check digit where the format has one (OECD's TIN guidance per country). A country not
 * listed accepts 2–30 letters and digits: a wrong format check would lock a trader out, a loose
 * one only lets compliance see the number as typed.
 */
const digits = (s: string) => [...s].map(Number);

function mod11Weighted(s: string, weights: number[]): number {
  return digits(s).reduce((sum, d, i) => sum + d * (weights[i] ?? 0), 0) % 11;
}

function luhn(s: string): boolean {
  let sum = 0;
  [...s].reverse().forEach((c, i) => {
    let d = Number(c);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  });
  return sum % 10 === 0;
}

/** German Steuer-IdNr: 11 digits, ISO 7064 MOD 11,10 check digit. */
function germanIdNr(tin: string): boolean {
  if (!/^[1-9]\d{10}$/.test(tin)) return false;
  let product = 10;
  for (const d of digits(tin.slice(0, 10))) {
    let sum = (d + product) % 10;
    if (sum === 0) sum = 10;
    product = (sum * 2) % 11;
  }
  const check = (11 - product) % 10;
  return check === Number(tin[10]);
}

/** Spanish NIF (8 digits + letter) or NIE (X/Y/Z + 7 digits + letter). */
function spanishNif(tin: string): boolean {
  const m = /^([XYZ]|\d)(\d{7})([A-Z])$/.exec(tin);
  if (!m) return false;
  const prefix = { X: "0", Y: "1", Z: "2" }[m[1] as "X"] ?? m[1];
  const n = Number(`${prefix}${m[2]}`);
  return "TRWAGMYFPDXBNJZSQVHLCKE"[n % 23] === m[3];
}

/** Dutch BSN: 9 digits, "11-proof". */
function dutchBsn(tin: string): boolean {
  if (!/^\d{9}$/.test(tin)) return false;
  const d = digits(tin);
  const sum = d.slice(0, 8).reduce((s, x, i) => s + x * (9 - i), 0) - (d[8] ?? 0);
  return sum % 11 === 0;
}

/** Polish PESEL (11 digits) or NIP (10 digits), both with check digits. */
function polish(tin: string): boolean {
  if (/^\d{11}$/.test(tin)) {
    const w = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
    const sum = digits(tin.slice(0, 10)).reduce((s, x, i) => s + x * (w[i] ?? 0), 0);
    return (10 - (sum % 10)) % 10 === Number(tin[10]);
  }
  if (/^\d{10}$/.test(tin)) {
    const check = mod11Weighted(tin.slice(0, 9), [6, 5, 7, 2, 3, 4, 5, 6, 7]);
    return check !== 10 && check === Number(tin[9]);
  }
  return false;
}

/** Portuguese NIF: 9 digits, mod 11. */
function portugueseNif(tin: string): boolean {
  if (!/^\d{9}$/.test(tin)) return false;
  const sum = digits(tin.slice(0, 8)).reduce((s, x, i) => s + x * (9 - i), 0);
  const check = 11 - (sum % 11);
  return (check >= 10 ? 0 : check) === Number(tin[8]);
}

/** Greek AFM: 9 digits, powers-of-two check. */
function greekAfm(tin: string): boolean {
  if (!/^\d{9}$/.test(tin) || tin === "000000000") return false;
  const sum = digits(tin.slice(0, 8)).reduce((s, x, i) => s + x * 2 ** (8 - i), 0);
  return (sum % 11) % 10 === Number(tin[8]);
}

/** Belgian national number: 11 digits, mod 97 (born before or after 2000). */
function belgian(tin: string): boolean {
  if (!/^\d{11}$/.test(tin)) return false;
  const base = tin.slice(0, 9);
  const check = Number(tin.slice(9));
  return 97 - (Number(base) % 97) === check || 97 - (Number(`2${base}`) % 97) === check;
}

/** US SSN or ITIN: 9 digits, no all-zero group. */
function us(tin: string): boolean {
  const m = /^(\d{3})(\d{2})(\d{4})$/.exec(tin);
  if (!m) return false;
  return m[1] !== "000" && m[1] !== "666" && m[2] !== "00" && m[3] !== "0000";
}

const RULES: Record<string, (tin: string) => boolean> = {
  AT: (t) => /^\d{9}$/.test(t),
  BE: belgian,
  CA: (t) => /^\d{9}$/.test(t) && luhn(t),
  CH: (t) => /^756\d{10}$/.test(t),
  CY: (t) => /^\d{8}[A-Z]$/.test(t),
  CZ: (t) => /^\d{9,10}$/.test(t),
  DE: germanIdNr,
  DK: (t) => /^\d{10}$/.test(t),
  ES: spanishNif,
  FR: (t) => /^[0-3]\d{12}$/.test(t),
  GB: (t) => /^\d{10}$/.test(t) || /^[A-CEGHJ-PR-TW-Z]{2}\d{6}[A-D]$/.test(t),
  GR: greekAfm,
  IE: (t) => /^\d{7}[A-W][A-IW]?$/.test(t),
  IT: (t) =>
    /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPR-T][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/.test(
      t,
    ),
  NL: dutchBsn,
  PL: polish,
  PT: portugueseNif,
  SE: (t) => /^(\d{2})?\d{10}$/.test(t) && luhn(t.slice(-10)),
  US: us,
};

/** Spaces, hyphens, dots and slashes people type between groups are dropped. */
export function normalizeTin(value: string): string {
  return value.toUpperCase().replace(/[\s.\-/]/g, "");
}

export function isValidTin(country: string, tin: string): boolean {
  const normalized = normalizeTin(tin);
  const rule = RULES[country.toUpperCase()];
  if (rule) return rule(normalized);
  return /^[A-Z0-9]{2,30}$/.test(normalized);
}

export const TIN_RULE_COUNTRIES = Object.keys(RULES);
