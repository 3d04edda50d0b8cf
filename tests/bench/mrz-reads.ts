/**
 * The MRZ reader's read rate, field accuracy and time per document on synthetic passports and
 * identity cards (tests/fixtures/mrz/synth.ts) under the conditions a phone photo brings:
 * resolution, tilt, sideways and upside-down pages, blur, JPEG compression. A read counts when
 * every check digit agreed; a field is accurate when it equals what was printed. Time is wall time
 * per document with one OCR worker thread (readMrz called directly). Run by `npm run bench:mrz`
 * and by `npm run bench` (section `mrz`), which also judges the server part (mrz-confirms.ts).
 */
import { closeMrzReader, readMrz } from "@/lib/documents/mrz-read";
import { mrzName } from "@/lib/documents/mrz-names";
import { renderDocument, SAMPLE_PEOPLE, type RenderOptions } from "../fixtures/mrz/synth";
import { CONFIRM_P95_MAX_RATIO, type MrzServerResult } from "./mrz-confirms";
import type { Check } from "./report";

/** Of the documents read, the share whose check digits all agreed (docs/benchmarks.md, "MRZ"). */
export const READ_RATE_MIN = 0.9;

const CONDITIONS: { name: string; options: Omit<RenderOptions, "kind"> }[] = [
  { name: "1000 px, clean", options: { width: 1000 } },
  { name: "1600 px, JPEG q60", options: { width: 1600, jpegQuality: 60 } },
  { name: "700 px", options: { width: 700 } },
  { name: "tilted 3°", options: { width: 1200, rotate: 3 } },
  { name: "sideways (90°)", options: { width: 1200, rotate: 90 } },
  { name: "upside down (180°)", options: { width: 1200, rotate: 180 } },
  { name: "blur σ 1.2", options: { width: 1200, blurSigma: 1.2 } },
  {
    name: "tilted −4°, blur σ 0.8, q70",
    options: { width: 1200, rotate: -4, blurSigma: 0.8, jpegQuality: 70 },
  },
];

export type MrzReadRow = {
  condition: string;
  read: number;
  documents: number;
  fieldsRight: number;
  fieldsSeen: number;
  ms: number[];
};
export type MrzAccuracyResult = { rows: MrzReadRow[]; read: number; documents: number };

const yymmdd = (iso: string) => iso.replace(/-/g, "").slice(2);
const mean = (ms: readonly number[]) => ms.reduce((s, t) => s + t, 0) / Math.max(1, ms.length);
const p95 = (ms: readonly number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0;
};

export async function benchMrzAccuracy(
  progress: (row: string) => void = () => {},
): Promise<MrzAccuracyResult> {
  const rows: MrzReadRow[] = [];
  try {
    await readMrz(await renderDocument(SAMPLE_PEOPLE[0]!, { kind: "passport" })); // load the worker
    for (const condition of CONDITIONS) {
      const row: MrzReadRow = {
        condition: condition.name,
        read: 0,
        documents: 0,
        fieldsRight: 0,
        fieldsSeen: 0,
        ms: [],
      };
      rows.push(row);
      for (const person of SAMPLE_PEOPLE)
        for (const kind of ["passport", "id_card"] as const) {
          const image = await renderDocument(person, { kind, ...condition.options });
          const started = performance.now();
          const result = await readMrz(image);
          row.ms.push(performance.now() - started);
          row.documents++;
          if (result.status !== "read") continue;
          row.read++;
          const expected = {
            surnames: mrzName(person.surnames),
            givenNames: mrzName(person.givenNames),
            documentNumber: person.documentNumber,
            dateOfBirth: yymmdd(person.dateOfBirth),
            expiryDate: yymmdd(person.expiryDate),
            nationality: person.nationality,
          };
          for (const [field, value] of Object.entries(expected)) {
            row.fieldsSeen++;
            const got = result.fields[field as keyof typeof expected];
            if (got.replace(/</g, "") === value.replace(/</g, "")) row.fieldsRight++;
          }
        }
      progress(
        `${row.condition}: ${row.read}/${row.documents} read, mean ${(mean(row.ms) / 1000).toFixed(1)} s`,
      );
    }
  } finally {
    await closeMrzReader();
  }
  return {
    rows,
    read: rows.reduce((s, r) => s + r.read, 0),
    documents: rows.reduce((s, r) => s + r.documents, 0),
  };
}

/** The table of docs/benchmarks.md, "MRZ". */
export function renderMrzAccuracy(result: MrzAccuracyResult): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const all = result.rows.flatMap((r) => r.ms);
  return [
    "| condition | read (check digits valid) | fields right of those read | mean | p95 |",
    "| --- | --- | --- | --- | --- |",
    ...result.rows.map(
      (r) =>
        `| ${r.condition} | ${r.read}/${r.documents} | ${r.fieldsSeen ? ((100 * r.fieldsRight) / r.fieldsSeen).toFixed(1) : "—"} % | ${s(mean(r.ms))} | ${s(p95(r.ms))} |`,
    ),
    `| **all** | **${result.read}/${result.documents} (${((100 * result.read) / Math.max(1, result.documents)).toFixed(0)} %)** | | ${s(mean(all))} | ${s(p95(all))} |`,
  ].join("\n");
}

export function mrzChecks(
  accuracy: MrzAccuracyResult | null | undefined,
  server: MrzServerResult | null | undefined,
): Check[] {
  const checks: Check[] = [];
  if (accuracy) {
    const rate = accuracy.read / Math.max(1, accuracy.documents);
    checks.push({
      name: `MRZ read rate ≥ ${READ_RATE_MIN * 100} % (synthetic documents, 8 conditions)`,
      pass: rate >= READ_RATE_MIN,
      detail: `${accuracy.read}/${accuracy.documents} = ${(100 * rate).toFixed(1)} %, mean ${(mean(accuracy.rows.flatMap((r) => r.ms)) / 1000).toFixed(1)} s per document`,
    });
  }
  if (server) {
    checks.push({
      name: `upload confirm p95 while OCR runs ≤ ${CONFIRM_P95_MAX_RATIO} × without (MRZ_CHECK=1)`,
      pass: server.pass,
      detail: `${server.p95.withOcr.toFixed(0)} vs ${server.p95.without.toFixed(0)} ms = ${server.p95.ratio.toFixed(2)} × (${server.confirms.withOcr.length} and ${server.confirms.without.length} confirms)`,
    });
  }
  return checks;
}
