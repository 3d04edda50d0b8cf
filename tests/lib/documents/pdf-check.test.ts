/**
 * The PDF parser (@cantoo/pdf-lib) recovers from broken objects, and reports some of what it
 * repairs with console.warn. An uploaded PDF full of broken objects must not flood the server's
 * JSON log with plain-text lines: the check counts the repairs and logs one structured line, and
 * leaves every other console.warn alone, also while checks run.
 */
import { checkPdf } from "@/lib/documents/pdf-check";
import * as fx from "@/tests/fixtures/documents/make-fixtures";
import { captureLogs } from "../../helpers/log-capture";

/** Parses, with one repair: the unterminated last object, kept as an invalid object. */
const brokenObjectPdf = () =>
  fx.handWrittenPdf([
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    "<< /Broken [1 2 ",
  ]);

/** Parses, with a console.warn from the parser for a number beyond 2^53. */
const hugeNumberPdf = () =>
  fx.handWrittenPdf([
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Huge 99999999999999999999 >>",
  ]);

let warned: unknown[][];
let logged: string[];
let stopLogs: () => void;

beforeEach(() => {
  warned = [];
  jest.spyOn(console, "warn").mockImplementation((...args: unknown[]) => {
    warned.push(args);
  });
  const capture = captureLogs();
  logged = capture.lines;
  stopLogs = capture.stop;
});

afterEach(() => {
  stopLogs();
  jest.restoreAllMocks();
});

describe("checkPdf and the parser's repairs", () => {
  it("logs one structured line for a PDF with broken objects, none of the parser's own", async () => {
    expect(await checkPdf(brokenObjectPdf(), { maxPages: 10 })).toEqual({ ok: true, pages: 1 });
    expect(warned).toEqual([]);
    expect(logged.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ event: "documents.pdf_repaired", warnings: 1 }),
    ]);
  });

  it("counts the parser's own console.warn lines into that line instead of letting them out", async () => {
    expect(await checkPdf(hugeNumberPdf(), { maxPages: 10 })).toEqual({ ok: true, pages: 1 });
    expect(warned).toEqual([]);
    expect(logged.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ event: "documents.pdf_repaired", warnings: 1 }),
    ]);
  });

  it("logs nothing for a clean PDF", async () => {
    expect(await checkPdf(fx.plainHandWrittenPdf(), { maxPages: 10 })).toEqual({
      ok: true,
      pages: 1,
    });
    expect(logged).toEqual([]);
  });

  it("lets every other console.warn through, also while checks are running", async () => {
    const checks = Promise.all([
      checkPdf(brokenObjectPdf(), { maxPages: 10 }),
      checkPdf(brokenObjectPdf(), { maxPages: 10 }),
    ]);
    // Another request's warning, interleaved with the two parses.
    await new Promise((resolve) => setImmediate(resolve));
    console.warn("someone else's warning");
    await checks;
    console.warn("and one after");
    expect(warned).toEqual([["someone else's warning"], ["and one after"]]);
    expect(logged).toHaveLength(2);
  });
});
