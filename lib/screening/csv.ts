/**
 * A small RFC 4180 CSV reader for list files. Lists are large and sometimes slightly broken, so it
 * never throws: each record carries the line it started on, and a record whose quotes never close
 * is returned with an error for the caller to report.
 */

export type CsvRecord = {
  /** 1-based physical line the record starts on. */
  line: number;
  fields: string[];
  /** Set when the record is structurally broken (e.g. an unterminated quote). */
  error?: string;
};

/**
 * Splits `text` into records. Handles quoted fields with commas, doubled quotes and line breaks,
 * CRLF or LF line endings, a BOM, and the DOS end-of-file byte (0x1A) some list exports carry.
 * Blank lines are skipped.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;

  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let field = "";
    let error: string | undefined;
    let atFieldStart = true;
    let endOfRecord = false;

    while (i < n && !endOfRecord) {
      const ch = text[i]!;
      if (atFieldStart && ch === '"') {
        // Quoted field: read to the closing quote; "" is a literal quote.
        i++;
        let closed = false;
        while (i < n) {
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (c === "\n") line++;
          field += c;
          i++;
        }
        if (!closed) {
          error = "unterminated quoted field";
          break;
        }
        atFieldStart = false;
        continue;
      }
      if (ch === ",") {
        fields.push(field);
        field = "";
        atFieldStart = true;
        i++;
      } else if (ch === "\r" || ch === "\n") {
        if (ch === "\r" && text[i + 1] === "\n") i++;
        i++;
        line++;
        endOfRecord = true;
      } else {
        field += ch;
        atFieldStart = false;
        i++;
      }
    }
    fields.push(field);

    const blank = fields.length === 1 && fields[0]!.replace(/\x1a/g, "").trim() === "";
    if (!blank || error)
      records.push(error ? { line: startLine, fields, error } : { line: startLine, fields });
  }
  return records;
}
