/**
 * The analysis the checks run on stored documents: quality verdicts and the perceptual hash of
 * what confirm stored (calibrated on the generated fixtures), and, on a real database with the
 * local storage driver, what it records and which other traders' documents it finds.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import sharp from "sharp";
import { analyzeCaseDocuments, combineSideReads, imageQuality } from "@/lib/documents/analysis";
import type { MrzRead } from "@/lib/documents/mrz-read";
import { inspectDocument } from "@/lib/documents/inspect";
import { MAX_INPUT_PIXELS } from "@/lib/documents/image-check";
import {
  BLUR_MIN_VARIANCE,
  NEAR_DUPLICATE_MAX_DISTANCE,
  hammingDistance,
  luminance,
  scoreRaster,
} from "@/lib/documents/quality";
import { confirmUpload, startUpload } from "@/lib/documents/service";
import type { DocumentType } from "@/lib/documents/upload-contract";
import { ensureOpenCase } from "@/lib/db/queries/cases";
import { upsertTrader } from "@/lib/db/queries/traders";
import { documents, type KycCase } from "@/lib/db/schema";
import { documentKey, storage } from "@/lib/storage";
import * as fx from "@/tests/fixtures/documents/make-fixtures";
import { setTestEnv } from "../../helpers/env";
import { createTestDb, type TestDb } from "../../helpers/test-db";

// Generating and decoding multi-megapixel fixtures is slow on a busy 2-core machine.
jest.setTimeout(90_000);

const limits = { maxBytes: 10 * 1024 * 1024, maxPdfPages: 10, maxInputPixels: MAX_INPUT_PIXELS };

/** What the checks see of an upload: confirm's stored JPEG, analysed. */
async function analysed(bytes: Buffer, type = "image/jpeg") {
  const result = await inspectDocument(bytes, type, limits);
  if (!result.ok) throw new Error(`refused: ${result.reason} (${result.detail})`);
  return imageQuality(result.bytes);
}

let documentJpeg: Buffer;
beforeAll(async () => {
  documentJpeg = await fx.sharpDocument();
});

describe("quality verdicts on generated fixtures", () => {
  it("finds nothing wrong with a sharp, well-lit document", async () => {
    expect((await analysed(documentJpeg)).issues).toEqual([]);
  });

  it("calls the same document out of focus blurry, and only blurry", async () => {
    expect((await analysed(await fx.blurredDocument())).issues).toEqual(["blurry"]);
  });

  it("calls the same document in a dim room too dark", async () => {
    expect((await analysed(await fx.darkDocument())).issues).toContain("too_dark");
  });

  it("notices a lamp's reflection as glare", async () => {
    expect((await analysed(await fx.glareDocument())).issues).toEqual(["glare"]);
  });

  it("calls a low-resolution picture too small", async () => {
    const small = await fx.sharpDocument({ width: 800, height: 560 });
    expect((await analysed(small)).issues).toContain("too_small");
  });

  it("scores a picture smaller than the scoring size at its own size, as the browser does", async () => {
    const small = await fx.sharpDocument({ width: 800, height: 560 });
    const { data, info } = await sharp(small).raw().toBuffer({ resolveWithObject: true });
    const own = scoreRaster(luminance(data, info.width, info.height, info.channels));
    const result = await imageQuality(small);
    expect(result.scores.blur).toBeCloseTo(own.blur, 6);
    expect(result.scores.brightness).toBeCloseTo(own.brightness, 6);
    expect(result.issues).toEqual(["too_small"]);
  });

  it("gives a photo larger than the stored size the verdict of the original", async () => {
    // Scored from the 4000 px copy confirm stored, not the 5000 px upload: both rasters are
    // 1000 px, reached by different shrink factors, so the blur score moves by ~10 %, far inside
    // the margin between a sharp document (thousands) and a blurred one (tens).
    const large = await fx.sharpDocument({ width: 5000, height: 3500 });
    const [original, stored] = await Promise.all([imageQuality(large), analysed(large)]);
    expect(stored.scores).toMatchObject({ width: 4000, height: 2800 });
    expect(stored.scores.blur / original.scores.blur).toBeGreaterThan(0.8);
    expect(stored.scores.blur / original.scores.blur).toBeLessThan(1.2);
    expect(stored.scores.blur).toBeGreaterThan(5 * BLUR_MIN_VARIANCE);
    expect(stored.issues).toEqual([]);
    expect(stored.issues).toEqual(original.issues);
  });

  it("calls a 4000×4 strip too small, not damaged (its 1000×1 raster has no interior)", async () => {
    const strip = await sharp({
      create: { width: 4000, height: 4, channels: 3, background: "#808080" },
    })
      .png()
      .toBuffer();
    expect((await analysed(strip, "image/png")).issues).toContain("too_small");
  });
});

describe("a transparent PNG page (a PDF viewer's export)", () => {
  it("is stored as dark text on white, and not called too dark", async () => {
    const png = await fx.transparentTextPage();
    const stored = await inspectDocument(png, "image/png", limits);
    if (!stored.ok) throw new Error(`refused: ${stored.reason}`);
    const { channels } = await sharp(stored.bytes).stats();
    for (const { mean, min } of channels) {
      expect(mean).toBeGreaterThan(200);
      expect(min).toBeLessThan(60); // the text is still there
    }
    expect((await imageQuality(stored.bytes)).issues).not.toContain("too_dark");
  });

  it("is scored on white when analysed as it is", async () => {
    const quality = await imageQuality(await fx.transparentTextPage());
    expect(quality.scores.brightness).toBeGreaterThan(200);
    expect(quality.issues).not.toContain("too_dark");
  });
});

describe("perceptual hash", () => {
  let base: string;
  beforeAll(async () => {
    base = (await analysed(documentJpeg)).phash;
  });
  const hashOf = async (bytes: Buffer) => (await analysed(bytes)).phash;

  it("is 64 bits as 16 hex digits", () => {
    expect(base).toMatch(/^[0-9a-f]{16}$/);
  });

  it.each([
    ["re-encoded at quality 60", (b: Buffer) => sharp(b).jpeg({ quality: 60 }).toBuffer()],
    ["resized to half", (b: Buffer) => sharp(b).resize(1000).jpeg().toBuffer()],
    ["slightly brighter", (b: Buffer) => sharp(b).linear(1.1, 5).jpeg().toBuffer()],
    [
      "cropped by 1%",
      (b: Buffer) =>
        sharp(b).extract({ left: 20, top: 14, width: 1960, height: 1372 }).jpeg().toBuffer(),
    ],
  ])("sees the same picture %s as a near duplicate", async (_, change) => {
    const distance = hammingDistance(base, await hashOf(await change(documentJpeg)));
    expect(distance).toBeLessThanOrEqual(NEAR_DUPLICATE_MAX_DISTANCE);
  });

  it("keeps other documents on the same template apart, and unrelated pictures far apart", async () => {
    for (const seed of [2, 3, 4]) {
      const other = await hashOf(await fx.sharpDocument({ seed }));
      expect(hammingDistance(base, other)).toBeGreaterThan(NEAR_DUPLICATE_MAX_DISTANCE);
    }
    const unrelated = await hashOf(
      await sharp(await fx.photo12mp())
        .resize(2000)
        .toBuffer(),
    );
    expect(hammingDistance(base, unrelated)).toBeGreaterThanOrEqual(20);
  }, 120_000);
});

describe("the identity document's zone from its sides", () => {
  const noZone: MrzRead = { status: "unreadable", reason: "no_zone" };
  const badDigits: MrzRead = { status: "unreadable", reason: "check_digits" };
  // The choice looks at the outcome alone; what a read zone says is the check's business.
  const read = { status: "read", format: "TD1" } as MrzRead;

  it("takes the side that reads, in whichever order the sides come", () => {
    expect(combineSideReads([noZone, read])).toBe(read);
    expect(combineSideReads([read, noZone])).toBe(read);
    expect(combineSideReads([badDigits, read])).toBe(read);
  });

  it("reports a zone with bad check digits over a side without a zone, in either order", () => {
    expect(combineSideReads([badDigits, noZone])).toBe(badDigits);
    expect(combineSideReads([noZone, badDigits])).toBe(badDigits);
  });

  it("calls a document none of whose sides has a zone unreadable, and one with no side to read null", () => {
    expect(combineSideReads([noZone, noZone])).toEqual(noZone);
    expect(combineSideReads([])).toBeNull();
  });
});

describe("analyzeCaseDocuments (PostgreSQL, local storage)", () => {
  let t: TestDb;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "kyc-analysis-"));
    setTestEnv({ DATA_DIR: dataDir });
    t = await createTestDb();
  });
  afterAll(async () => {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  let nextUser = 62_000;
  async function trader() {
    const row = await upsertTrader({ ctraderUserId: nextUser++, email: null }, "en");
    return { traderId: row.id, kycCase: await ensureOpenCase(row.id, "standard", "manual") };
  }

  /** The upload screen's three calls, through the service: start, the file in storage, confirm. */
  async function confirmed(
    owner: { traderId: string; kycCase: KycCase },
    bytes: Buffer,
    contentType = "image/jpeg",
    documentType: DocumentType = "identity",
  ): Promise<string> {
    const { kycCase, traderId } = owner;
    const started = await startUpload(kycCase, {
      documentType,
      side: "page",
      contentType,
      size: bytes.length,
    });
    if (!started.ok) throw new Error(`start: ${started.reason}`);
    const { documentId } = started.value;
    await storage().put(documentKey(kycCase.id, documentId), bytes, contentType);
    const result = await confirmUpload(kycCase, traderId, documentId);
    if (!result.ok) throw new Error(`confirm: ${result.reason}`);
    return documentId;
  }

  const row = async (id: string) =>
    (await t.db.select().from(documents).where(eq(documents.id, id)))[0]!;

  it("adds scores, issues and the hash to what confirm recorded, once per document", async () => {
    const owner = await trader();
    const id = await confirmed(owner, await fx.blurredDocument(11));
    const before = await row(id);
    expect(before.phash).toBeNull();
    expect(before.quality).toEqual({ sourceType: "image/jpeg", width: 2000, height: 1400 });

    expect(await analyzeCaseDocuments(owner.kycCase.id, owner.traderId)).toBe(1);
    const after = await row(id);
    expect(after.phash).toMatch(/^[0-9a-f]{16}$/);
    expect(after.quality).toEqual({
      sourceType: "image/jpeg",
      width: 2000,
      height: 1400,
      brightness: expect.any(Number),
      blur: expect.any(Number),
      glare: expect.any(Number),
      issues: ["blurry"],
      usedByOtherTraders: [],
    });
    expect(await analyzeCaseDocuments(owner.kycCase.id, owner.traderId)).toBe(0);
    expect(await row(id)).toEqual(after);
  });

  it("finds another trader's same file by its bytes and the same picture re-encoded by its hash, never the trader's own", async () => {
    const photo = await fx.sharpDocument({ seed: 31 });
    const first = await trader();
    const original = await confirmed(first, photo);
    const ownCopy = await confirmed(first, photo, "image/jpeg", "address");
    await analyzeCaseDocuments(first.kycCase.id, first.traderId);
    expect((await row(ownCopy)).quality).toMatchObject({ usedByOtherTraders: [] });

    const second = await trader();
    const sameFile = await confirmed(second, photo);
    const third = await trader();
    const reencoded = await confirmed(third, await sharp(photo).jpeg({ quality: 60 }).toBuffer());
    await analyzeCaseDocuments(second.kycCase.id, second.traderId);
    await analyzeCaseDocuments(third.kycCase.id, third.traderId);

    expect((await row(sameFile)).quality).toMatchObject({
      usedByOtherTraders: expect.arrayContaining([
        { documentId: original, caseId: first.kycCase.id, exact: true },
        { documentId: ownCopy, caseId: first.kycCase.id, exact: true },
      ]),
    });
    expect((await row(reencoded)).quality).toMatchObject({
      usedByOtherTraders: expect.arrayContaining([
        { documentId: original, caseId: first.kycCase.id, exact: false },
        { documentId: sameFile, caseId: second.kycCase.id, exact: false },
      ]),
    });
  });

  it("finds the same file of a trader whose documents were not analysed yet", async () => {
    const photo = await fx.sharpDocument({ seed: 32 });
    const first = await trader();
    const unanalysed = await confirmed(first, photo);
    const second = await trader();
    const copy = await confirmed(second, photo);
    await analyzeCaseDocuments(second.kycCase.id, second.traderId);
    expect((await row(unanalysed)).phash).toBeNull();
    expect((await row(copy)).quality).toMatchObject({
      usedByOtherTraders: [{ documentId: unanalysed, caseId: first.kycCase.id, exact: true }],
    });
  });

  it("analyses a PDF by its bytes alone: no scores, no hash, exact copies found", async () => {
    const pdf = await fx.cleanPdf(1);
    const first = await trader();
    const original = await confirmed(first, pdf, "application/pdf", "address");
    const second = await trader();
    const copy = await confirmed(second, pdf, "application/pdf", "address");
    await analyzeCaseDocuments(second.kycCase.id, second.traderId);
    const analysedCopy = await row(copy);
    expect(analysedCopy.phash).toBeNull();
    expect(analysedCopy.quality).toEqual({
      sourceType: "application/pdf",
      pages: 1,
      issues: [],
      usedByOtherTraders: [{ documentId: original, caseId: first.kycCase.id, exact: true }],
    });
  });
});
