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

const MB = 1024 * 1024;

describe("checkPdf on hostile input: bounded, and an overrun is a refusal", () => {
  it("refuses an object stream of names over the inflate budget (31 KB on disk, 32 MB inflated)", async () => {
    const pdf = fx.pdfWithInflatingStream(32 * MB);
    expect(pdf.length).toBeLessThan(40_000);
    expect(await checkPdf(pdf)).toEqual({
      ok: false,
      reason: "corrupt",
      detail: "object stream inflates beyond the limit",
    });
  });

  it("decodes #xx escapes in names before deciding: /Obj#53tm is an object stream too", async () => {
    const pdf = fx.pdfWithInflatingStream(80 * MB, { typeName: "Obj#53tm" });
    expect(pdf.includes("ObjStm")).toBe(false);
    expect(await checkPdf(pdf)).toEqual({
      ok: false,
      reason: "corrupt",
      detail: "object stream inflates beyond the limit",
    });
  });

  it.each([
    ["an object stream the byte scan cannot see", { dictHidden: true }],
    ["a cross-reference stream", { typeName: "XRef" }],
  ])("bounds every stream pdf-lib inflates, whatever it is: %s", async (_, options) => {
    const pdf = fx.pdfWithInflatingStream(80 * MB, options);
    expect(await checkPdf(pdf)).toEqual({
      ok: false,
      reason: "corrupt",
      detail: "while parsing: a stream inflates beyond the limit",
    });
  });

  it("accepts the same files when they stay within the budget", async () => {
    for (const options of [{}, { typeName: "Obj#53tm" }, { dictHidden: true }]) {
      expect(await checkPdf(fx.pdfWithInflatingStream(64 * 1024, options))).toEqual({
        ok: true,
        pages: 1,
      });
    }
  });

  it("refuses a file whose parse outgrows the worker's heap", async () => {
    // 3 MB of distinct names: within the inflate budget, each name an object of its own.
    const pdf = fx.pdfWithInflatingStream(3 * MB, { distinct: true });
    expect(await checkPdf(pdf, { heapMb: 24 })).toEqual({
      ok: false,
      reason: "corrupt",
      detail: "PDF check ran out of memory",
    });
  });

  it("refuses a file whose check outlasts its time limit", async () => {
    const pdf = fx.pdfWithInflatingStream(3 * MB);
    expect(await checkPdf(pdf, { timeoutMs: 200 })).toEqual({
      ok: false,
      reason: "corrupt",
      detail: "PDF check took too long",
    });
  });

  it("keeps the event loop turning while a heavy PDF is scanned and parsed", async () => {
    // Within the budget, so pdf-lib parses all of it: seconds of work on this machine.
    const pdf = fx.pdfWithInflatingStream(3.9 * MB, { distinct: true });
    // How often a 5 ms timer runs during `work`: compared with an idle wait as long, in the same
    // run, so a loaded machine slows both alike and nothing here is a time limit.
    const turnsDuring = async <T>(work: () => Promise<T>) => {
      let turns = 0;
      const timer = setInterval(() => turns++, 5);
      const started = performance.now();
      const value = await work();
      clearInterval(timer);
      return { value, turns, took: performance.now() - started };
    };
    const checked = await turnsDuring(() => checkPdf(pdf));
    const idle = await turnsDuring(
      () => new Promise((resolve) => setTimeout(resolve, checked.took)),
    );
    expect(checked.value).toEqual({ ok: true, pages: 1 });
    // Long enough to tell: a check that held the thread would let the timer run once at most.
    expect(idle.turns).toBeGreaterThan(10);
    expect(checked.turns).toBeGreaterThan(idle.turns / 3);
  });
});

describe("checkPdf and actions", () => {
  it.each([
    ["OnInstantiate", "<< /S /GoTo /D [3 0 R /Fit] /OnInstantiate (x) >>"],
    ["GoToE", "<< /S /GoToE /D [0 /Fit] /T << /R /C /N (a.pdf) >> >>"],
    ["Named", "<< /S /Named /N /Print >>"],
    ["SetOCGState", "<< /S /SetOCGState /State [/OFF 5 0 R] >>"],
  ])("refuses an action that does more than navigate: /%s", async (name, action) => {
    expect(await checkPdf(fx.pdfWithLinkAction(action))).toEqual({
      ok: false,
      reason: "pdf_active_content",
      detail: `/${name}`,
    });
  });

  it("still accepts a link that opens a web page (/URI), as statements have", async () => {
    const pdf = fx.pdfWithLinkAction("<< /S /URI /URI (https://bank.example/) >>");
    expect(await checkPdf(pdf)).toEqual({ ok: true, pages: 1 });
  });

  it.each([
    ["a URI", "<< /S /URI /URI (https://evil.example/) >>", "/URI"],
    [
      "a URI after a go-to",
      "<< /S /GoTo /D [3 0 R /Fit] /Next << /S /URI /URI (https://evil.example/) >> >>",
      "/URI",
    ],
    ["a hide action", "<< /S /Hide /T (field) >>", "/Hide"],
    ["an action without a type", "<< /URI (https://evil.example/) >>", "an action without a type"],
  ])("refuses an /OpenAction that runs %s", async (_, action, what) => {
    expect(await checkPdf(fx.pdfWithOpenAction(action))).toEqual({
      ok: false,
      reason: "pdf_active_content",
      detail: `/OpenAction runs ${what}`,
    });
  });

  it.each([
    ["a destination", "[3 0 R /Fit]"],
    ["a go-to", "<< /S /GoTo /D [3 0 R /FitH 792] >>"],
    ["a chain of go-tos", "<< /S /GoTo /D [3 0 R /Fit] /Next [<< /S /GoTo /D [3 0 R /Fit] >>] >>"],
  ])("accepts an /OpenAction that navigates inside the document: %s", async (_, action) => {
    expect(await checkPdf(fx.pdfWithOpenAction(action))).toEqual({ ok: true, pages: 1 });
  });
});
