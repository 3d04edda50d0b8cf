/**
 * Damaged uploads, generated: every truncation point and byte flip fast-check picks in a small
 * JPEG, PNG, WebP, HEIC and PDF must end in an accepted file or one of the stable refusal
 * reasons — never an exception (a 500 for the trader) and never stored bytes that are not a
 * clean JPEG. The hand-picked hostile files are in inspect.test.ts; this covers the space between.
 */
import fc from "fast-check";
import sharp from "sharp";
import { inspectDocument } from "@/lib/documents/inspect";
import { MAX_INPUT_PIXELS } from "@/lib/documents/image-check";
import { UPLOAD_REFUSALS } from "@/lib/documents/upload-contract";
import * as fx from "@/tests/fixtures/documents/make-fixtures";

jest.setTimeout(120_000);

const limits = { maxBytes: 10 * 1024 * 1024, maxPdfPages: 10, maxInputPixels: MAX_INPUT_PIXELS };

type Sample = { name: string; type: string; bytes: Buffer };
const samples: Sample[] = [];

beforeAll(async () => {
  const raw = fx.documentRaw({ width: 320, height: 220 });
  const image = () =>
    sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: 3 } });
  samples.push(
    { name: "jpeg", type: "image/jpeg", bytes: await image().jpeg({ quality: 80 }).toBuffer() },
    { name: "png", type: "image/png", bytes: await image().png().toBuffer() },
    { name: "webp", type: "image/webp", bytes: await image().webp().toBuffer() },
    { name: "heic", type: "image/heic", bytes: fx.heicFixture("transparent") },
    { name: "pdf", type: "application/pdf", bytes: await fx.cleanPdf(1) },
  );
});

async function expectStableOutcome(bytes: Buffer, type: string): Promise<void> {
  const result = await inspectDocument(bytes, type, limits);
  if (!result.ok) {
    expect(UPLOAD_REFUSALS).toContain(result.reason);
    return;
  }
  if (result.kind === "pdf") return;
  // Accepted images are always our own JPEG, decodable, without metadata.
  const meta = await sharp(result.bytes).metadata();
  expect(meta.format).toBe("jpeg");
  expect(meta.exif).toBeUndefined();
  expect(meta.width).toBe(result.width);
}

describe("inspectDocument on damaged uploads", () => {
  it("ends every truncation in an accepted file or a stable refusal", async () => {
    for (const sample of samples) {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: sample.bytes.length - 1 }), async (cut) => {
          await expectStableOutcome(sample.bytes.subarray(0, cut), sample.type);
        }),
        { numRuns: 25 },
      );
    }
  });

  it("ends every run of flipped bytes in an accepted file or a stable refusal", async () => {
    for (const sample of samples) {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              at: fc.integer({ min: 0, max: sample.bytes.length - 1 }),
              value: fc.integer({ min: 0, max: 255 }),
            }),
            { minLength: 1, maxLength: 8 },
          ),
          async (flips) => {
            const bytes = Buffer.from(sample.bytes);
            for (const { at, value } of flips) bytes[at] = value;
            await expectStableOutcome(bytes, sample.type);
          },
        ),
        { numRuns: 25 },
      );
    }
  });
});
