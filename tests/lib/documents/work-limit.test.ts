/**
 * Document checks share one global limit: however many confirms arrive at once, no more than
 * DOCUMENT_WORK_SLOTS decode or parse at the same time; the rest wait their turn.
 */
import { MAX_INPUT_PIXELS } from "@/lib/documents/image-check";
import { inspectDocument } from "@/lib/documents/inspect";
import { DOCUMENT_WORK_SLOTS, documentWorkLoad } from "@/lib/documents/work-limit";
import * as fx from "@/tests/fixtures/documents/make-fixtures";

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
});
