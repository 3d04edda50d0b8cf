/**
 * Document checks share one global limit: however many confirms arrive at once, no more than
 * DOCUMENT_WORK_SLOTS decode or parse at the same time; the rest wait their turn. OCR (the MRZ
 * read) takes turns under a limit of its own and never holds a confirm's slot.
 */
import { MAX_INPUT_PIXELS } from "@/lib/documents/image-check";
import { inspectDocument } from "@/lib/documents/inspect";
import { closeMrzReader, readMrz } from "@/lib/documents/mrz-read";
import {
  DOCUMENT_WORK_SLOTS,
  documentWorkLoad,
  ocrWorkLoad,
  withDocumentSlot,
} from "@/lib/documents/work-limit";
import * as fx from "@/tests/fixtures/documents/make-fixtures";
import { renderDocument, SAMPLE_PEOPLE } from "@/tests/fixtures/mrz/synth";

jest.setTimeout(180_000);
afterAll(closeMrzReader);

const limits = { maxBytes: 10 * 1024 * 1024, maxPdfPages: 10, maxInputPixels: MAX_INPUT_PIXELS };

describe("the global limit on document work", () => {
  it("runs at most DOCUMENT_WORK_SLOTS checks at a time, PDFs and images alike", async () => {
    const pdf = fx.pdfWithInflatingStream(1024 * 1024);
    const photo = await fx.sharpDocument();
    const files = Array.from({ length: DOCUMENT_WORK_SLOTS + 3 }, (_, i) =>
      i % 2 ? { bytes: pdf, type: "application/pdf" } : { bytes: photo, type: "image/jpeg" },
    );
    let mostActive = 0;
    let mostWaiting = 0;
    const sampler = setInterval(() => {
      const load = documentWorkLoad();
      mostActive = Math.max(mostActive, load.active);
      mostWaiting = Math.max(mostWaiting, load.pending);
    }, 2);
    const results = await Promise.all(files.map((f) => inspectDocument(f.bytes, f.type, limits)));
    clearInterval(sampler);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(mostActive).toBe(DOCUMENT_WORK_SLOTS);
    expect(mostWaiting).toBeGreaterThanOrEqual(3);
    expect(documentWorkLoad()).toEqual({ active: 0, pending: 0 });
  });

  it("gives a confirm's check a slot at once while OCR reads run and wait", async () => {
    // Sideways pages: each read tries the wrong orientations first and takes seconds.
    const person = SAMPLE_PEOPLE[0]!;
    const sideways = await renderDocument(person, { kind: "passport", width: 1200, rotate: 90 });
    let settled = 0;
    // One read more than there are document slots: were OCR under the confirms' limit, every
    // slot would be taken and the confirm would wait for a read to end.
    const reads = Array.from({ length: DOCUMENT_WORK_SLOTS + 1 }, () =>
      readMrz(sideways).finally(() => settled++),
    );
    while (ocrWorkLoad().active + documentWorkLoad().active === 0)
      await new Promise((resolve) => setImmediate(resolve));
    expect(documentWorkLoad()).toEqual({ active: 0, pending: 0 });
    expect(ocrWorkLoad()).toEqual({ active: 1, pending: DOCUMENT_WORK_SLOTS });

    let mostWaiting = 0;
    const sampler = setInterval(() => {
      mostWaiting = Math.max(mostWaiting, documentWorkLoad().pending);
    }, 2);
    const confirmed = await inspectDocument(await fx.sharpDocument(), "image/jpeg", limits);
    clearInterval(sampler);
    expect(confirmed.ok).toBe(true);
    expect(mostWaiting).toBe(0);
    expect(settled).toBe(0);

    const results = await Promise.all(reads);
    expect(results.map((r) => r.status)).toEqual(reads.map(() => "read"));
    expect(ocrWorkLoad()).toEqual({ active: 0, pending: 0 });
  });

  it("refuses to read a zone inside a document slot, which the read would hold throughout", async () => {
    const passport = await renderDocument(SAMPLE_PEOPLE[1]!, { kind: "passport", width: 1000 });
    await expect(withDocumentSlot(() => readMrz(passport))).rejects.toThrow(
      "OCR inside a document slot",
    );
    expect(documentWorkLoad()).toEqual({ active: 0, pending: 0 });
    expect(ocrWorkLoad()).toEqual({ active: 0, pending: 0 });
  });
});
