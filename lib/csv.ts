/**
 * CSV for the console's exports (RFC 4180, CRLF lines), safe to open in a spreadsheet: a cell
 * that starts with = + - @ or with a tab, a NUL (the characters OWASP ASVS 5.0, 1.2.10, names)
 * or a carriage return or line feed (which some spreadsheets skip before reading a formula) gets
 * a leading apostrophe, so text a trader or an upstream system wrote is never run as a formula on
 * an officer's machine (CSV injection).
 */
const FORMULA_START = /^[=+\-@\t\0\r\n]/;

export function csvCell(value: unknown): string {
  const text =
    value === null || value === undefined
      ? ""
      : value instanceof Date
        ? value.toISOString()
        : typeof value === "object"
          ? JSON.stringify(value)
          : String(value);
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}
