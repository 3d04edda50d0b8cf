import { createHash } from "node:crypto";
import sharp from "sharp";
import { fileTypeFromBuffer } from "file-type/core";
import { imageQuality } from "@/lib/documents/analysis";
import { inspectDocument, type Accepted, type Inspection } from "@/lib/documents/inspect";
import { MAX_INPUT_PIXELS, STORED_LONG_EDGE } from "@/lib/documents/image-check";
import { NEAR_DUPLICATE_MAX_DISTANCE, hammingDistance } from "@/lib/documents/quality";
import { parseEnv } from "@/lib/env";
import * as fx from "@/tests/fixtures/documents/make-fixtures";

// Generating and decoding multi-megapixel fixtures is slow on a busy 2-core machine.
jest.setTimeout(90_000);

const limits = { maxBytes: 10 * 1024 * 1024, maxPdfPages: 10, maxInputPixels: MAX_INPUT_PIXELS };
const inspect = (bytes: Buffer, type: string, overrides: Partial<typeof limits> = {}) =>
  inspectDocument(bytes, type, { ...limits, ...overrides });

function refusal(result: Inspection): string {
  return result.ok ? "accepted" : result.reason;
}

function acceptedImage(result: Inspection): Extract<Accepted, { kind: "image" }> {
  if (!result.ok) throw new Error(`refused: ${result.reason} (${result.detail})`);
  if (result.kind !== "image") throw new Error("expected an image");
  return result;
}

let documentJpeg: Buffer;

beforeAll(async () => {
  documentJpeg = await fx.sharpDocument();
});

describe("inspectDocument refuses hostile and broken files with a stable reason", () => {
  it("refuses zero bytes as empty", async () => {
    expect(refusal(await inspect(Buffer.alloc(0), "image/jpeg"))).toBe("empty");
  });

  it("refuses a file over the size limit (11 MB against 10 MiB) before reading it", async () => {
    const big = Buffer.concat([documentJpeg, Buffer.alloc(11_000_000 - documentJpeg.length)]);
    expect(refusal(await inspect(big, "image/jpeg"))).toBe("too_large");
    expect(refusal(await inspect(documentJpeg, "image/jpeg", { maxBytes: 1024 }))).toBe(
      "too_large",
    );
  });

  it("refuses an executable renamed to .jpg", async () => {
    expect(refusal(await inspect(fx.elfExecutable(), "image/jpeg"))).toBe("unsupported_type");
  });

  it.each([
    ["image/svg+xml", fx.svgWithScript()],
    ["image/jpeg", fx.svgWithScript()],
    ["text/html", fx.htmlPage()],
    ["image/png", fx.htmlPage()],
  ])("refuses markup (declared %s) as an unsupported type", async (type, bytes) => {
    expect(refusal(await inspect(bytes, type))).toBe("unsupported_type");
  });

  it("refuses an HTML page that starts with JPEG magic bytes", async () => {
    const result = await inspect(fx.htmlWithJpegMagic(), "image/jpeg");
    expect(refusal(result)).toBe("corrupt");
  });

  it("refuses a 100 MP decompression bomb that is small on disk", async () => {
    const bomb = fx.decompressionBombPng();
    expect(bomb.length).toBeLessThan(200_000);
    expect(refusal(await inspect(bomb, "image/png"))).toBe("too_many_pixels");
  });

  it("refuses a truncated JPEG as corrupt", async () => {
    expect(refusal(await inspect(await fx.truncatedJpeg(), "image/jpeg"))).toBe("corrupt");
  });

  it.each([
    ["image/png", "jpeg"],
    ["application/pdf", "jpeg"],
    ["image/jpeg", "pdf"],
  ])("refuses a declared %s whose content is %s as a type mismatch", async (declared, real) => {
    const bytes = real === "pdf" ? await fx.cleanPdf() : documentJpeg;
    expect(refusal(await inspect(bytes, declared))).toBe("type_mismatch");
  });

  it("refuses a declared type outside the accepted list even when the content is fine", async () => {
    expect(refusal(await inspect(documentJpeg, "application/octet-stream"))).toBe(
      "unsupported_type",
    );
  });

  it("refuses a PDF whose OpenAction runs JavaScript", async () => {
    expect(refusal(await inspect(fx.pdfWithJavaScript(), "application/pdf"))).toBe(
      "pdf_active_content",
    );
  });

  it("refuses JavaScript hidden behind hex-escaped names (/J#61vaScript, /J#53)", async () => {
    const pdf = fx.pdfWithEscapedJavaScript();
    expect(pdf.includes("JavaScript")).toBe(false);
    expect(refusal(await inspect(pdf, "application/pdf"))).toBe("pdf_active_content");
  });

  it("refuses JavaScript packed inside a compressed object stream", async () => {
    const pdf = await fx.pdfWithJavaScriptInObjectStream();
    expect(pdf.includes("JavaScript")).toBe(false); // invisible to a raw byte search
    expect(refusal(await inspect(pdf, "application/pdf"))).toBe("pdf_active_content");
  });

  it("refuses a page whose additional action launches a program", async () => {
    expect(refusal(await inspect(fx.pdfWithLaunchAction(), "application/pdf"))).toBe(
      "pdf_active_content",
    );
  });

  it("refuses a link that opens another file (/GoToR), even without any script", async () => {
    expect(refusal(await inspect(fx.pdfWithRemoteGoTo(), "application/pdf"))).toBe(
      "pdf_active_content",
    );
  });

  it.each(["Rendition", "Movie", "Sound"] as const)(
    "refuses media that plays in the viewer (/%s), even without any script",
    async (which) => {
      expect(refusal(await inspect(fx.pdfWithMedia(which), "application/pdf"))).toBe(
        "pdf_active_content",
      );
    },
  );

  it("refuses an encrypted PDF", async () => {
    expect(refusal(await inspect(fx.encryptedPdf(), "application/pdf"))).toBe("pdf_encrypted");
  });

  it("refuses a PDF over the page limit, and the limit is configurable", async () => {
    const twelve = await fx.cleanPdf(12);
    expect(refusal(await inspect(twelve, "application/pdf"))).toBe("pdf_too_many_pages");
    expect(refusal(await inspect(twelve, "application/pdf", { maxPdfPages: 12 }))).toBe("accepted");
  });

  it("refuses a PDF with data appended after its end (PDF/HTML polyglot)", async () => {
    expect(refusal(await inspect(await fx.pdfHtmlPolyglot(), "application/pdf"))).toBe("corrupt");
  });

  it("refuses a file that starts like a PDF but is not one", async () => {
    const junk = Buffer.from("%PDF-1.7\nthis is not a pdf at all\n%%EOF\n");
    expect(refusal(await inspect(junk, "application/pdf"))).toBe("corrupt");
  });

  it("refuses a HEIC container whose HEVC data is not a picture as corrupt", async () => {
    const result = await inspect(fx.heicContainer(), "image/heic");
    expect(refusal(result)).toBe("corrupt");
    expect(result.ok ? "" : result.detail).toMatch(/^HEIC: /);
  });
});

describe("inspectDocument converts iPhone HEIC (HEVC) like any other photo", () => {
  // The same picture sent as a JPEG: what its stored copy scores and hashes to.
  let source: Awaited<ReturnType<typeof imageQuality>>;
  beforeAll(async () => {
    source = await imageQuality(
      acceptedImage(await inspect(await fx.heicSourceJpeg(), "image/jpeg")).bytes,
    );
  });

  it("the committed fixtures are really HEVC-coded HEIC (hvc1), not AV1", async () => {
    for (const name of ["upright", "rotated", "burst", "transparent"] as const) {
      const heic = fx.heicFixture(name);
      expect(heic.toString("latin1", 4, 12)).toBe("ftypheic");
      expect(heic.includes("hvc1")).toBe(true);
      expect(heic.includes("hvcC")).toBe(true);
      expect(heic.includes("av01")).toBe(false);
      expect((await sharp(heic).metadata()).compression).toBe("hevc");
    }
  });

  it("stores our JPEG without EXIF or GPS, at the photo's size, scored like the same JPEG", async () => {
    const heic = fx.heicFixture("upright");
    expect(heic.includes("FixturePhone")).toBe(true); // the HEIC carries the camera's EXIF
    const result = acceptedImage(await inspect(heic, "image/heic"));
    expect(result.sourceType).toBe("image/heic");
    expect(result.contentType).toBe("image/jpeg");
    expect((await fileTypeFromBuffer(result.bytes))?.mime).toBe("image/jpeg");
    expect(result.sha256).toBe(createHash("sha256").update(result.bytes).digest("hex"));
    const stored = await sharp(result.bytes).metadata();
    expect(stored.exif).toBeUndefined();
    expect(stored.xmp).toBeUndefined();
    expect(stored.icc).toBeUndefined();
    expect(result.bytes.includes("FixturePhone")).toBe(false);
    expect([stored.width, stored.height]).toEqual([1200, 840]);
    expect([result.width, result.height]).toEqual([1200, 840]);

    const quality = await imageQuality(result.bytes);
    expect(quality.scores).toMatchObject({ width: 1200, height: 840 });
    expect(Math.abs(quality.scores.brightness - source.scores.brightness)).toBeLessThan(2);
    expect(quality.scores.blur / source.scores.blur).toBeGreaterThan(0.95);
    expect(quality.scores.blur / source.scores.blur).toBeLessThan(1.05);
    expect(Math.abs(quality.scores.glare - source.scores.glare)).toBeLessThan(0.005);
    expect(quality.issues).toEqual(source.issues);
    expect(hammingDistance(quality.phash, source.phash)).toBeLessThanOrEqual(
      NEAR_DUPLICATE_MAX_DISTANCE,
    );
  });

  it("accepts the same photo declared as image/heif, the other name iOS uses", async () => {
    expect(refusal(await inspect(fx.heicFixture("upright"), "image/heif"))).toBe("accepted");
  });

  it("turns a photo stored sideways upright by its irot, and ignores the EXIF orientation", async () => {
    const heic = fx.heicFixture("rotated");
    const result = acceptedImage(await inspect(heic, "image/heic"));
    const stored = await sharp(result.bytes).metadata();
    expect([stored.width, stored.height]).toEqual([1200, 840]);
    expect(stored.orientation).toBeUndefined();
    const { phash } = await imageQuality(result.bytes);
    expect(hammingDistance(phash, source.phash)).toBeLessThanOrEqual(NEAR_DUPLICATE_MAX_DISTANCE);
  });

  it("takes the primary image of a file holding several, not the first", async () => {
    const result = acceptedImage(await inspect(fx.heicFixture("burst"), "image/heic"));
    expect([result.width, result.height]).toEqual([1200, 840]);
    const { phash } = await imageQuality(result.bytes);
    expect(hammingDistance(phash, source.phash)).toBeLessThanOrEqual(NEAR_DUPLICATE_MAX_DISTANCE);
  });

  it("flattens a HEIC's transparency onto white, like a PNG's", async () => {
    const result = acceptedImage(await inspect(fx.heicFixture("transparent"), "image/heic"));
    const { data, info } = await sharp(result.bytes).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => data[(y * info.width + x) * info.channels]!;
    expect([info.width, info.height, info.channels]).toEqual([1200, 800, 3]);
    expect(at(20, 20)).toBeGreaterThan(245); // transparent → white
    expect(at(300, 250)).toBeLessThan(10); // the opaque black rectangle
  });

  it("refuses a truncated HEIC as corrupt", async () => {
    const heic = fx.heicFixture("upright");
    for (const keep of [0.3, 0.55, 0.95]) {
      const cut = heic.subarray(0, Math.floor(heic.length * keep));
      expect(refusal(await inspect(cut, "image/heic"))).toBe("corrupt");
    }
  });

  it("refuses a HEIC whose header claims 48 MP as too many pixels, before decoding it", async () => {
    // Decoding it would fail differently: libheif refuses a picture whose size is not its ispe.
    const bomb = fx.withIspe(fx.heicFixture("upright"), 8000, 6000);
    const result = await inspect(bomb, "image/heic");
    expect(refusal(result)).toBe("too_many_pixels");
  });

  it("refuses a HEIC whose header claims less than the picture holds as corrupt", async () => {
    const liar = fx.withIspe(fx.heicFixture("upright"), 600, 420);
    expect(refusal(await inspect(liar, "image/heic"))).toBe("corrupt");
  });

  it("refuses HEIC content declared as image/jpeg as a type mismatch", async () => {
    expect(refusal(await inspect(fx.heicFixture("upright"), "image/jpeg"))).toBe("type_mismatch");
  });
});

describe("inspectDocument stores clean, re-encoded images", () => {
  it("accepts a document photo and stores a fresh JPEG with its SHA-256", async () => {
    const result = acceptedImage(await inspect(documentJpeg, "image/jpeg"));
    expect(result.contentType).toBe("image/jpeg");
    expect((await fileTypeFromBuffer(result.bytes))?.mime).toBe("image/jpeg");
    expect(result.bytes.equals(documentJpeg)).toBe(false);
    expect(result.sha256).toBe(createHash("sha256").update(result.bytes).digest("hex"));
    expect([result.width, result.height]).toEqual([2000, 1400]);
  });

  it("strips EXIF and GPS, and applies the orientation to the pixels", async () => {
    const original = await fx.exifGpsDocument();
    const before = await sharp(original).metadata();
    expect(before.exif).toBeDefined(); // the fixture really carries EXIF/GPS
    expect(before.orientation).toBe(6);
    expect(original.includes("FixturePhone")).toBe(true);

    const result = acceptedImage(await inspect(original, "image/jpeg"));
    const after = await sharp(result.bytes).metadata();
    expect(after.exif).toBeUndefined();
    expect(after.icc).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.orientation).toBeUndefined();
    expect(result.bytes.includes("FixturePhone")).toBe(false);
    expect([after.width, after.height]).toEqual([1400, 2000]);
    expect([result.width, result.height]).toEqual([1400, 2000]);
  });

  it.each([
    ["appended after the image", fx.jpegHtmlPolyglot],
    ["in a JPEG comment", fx.jpegWithHtmlComment],
  ])("stores a JPEG/HTML polyglot (HTML %s) without the HTML", async (_, make) => {
    const polyglot = await make();
    expect(polyglot.includes(fx.HTML_PAYLOAD)).toBe(true);
    const result = acceptedImage(await inspect(polyglot, "image/jpeg"));
    expect(result.bytes.includes("<script")).toBe(false);
    expect(result.bytes.includes("<html")).toBe(false);
  });

  it("accepts a HEIF that this sharp build can decode and stores it as JPEG", async () => {
    const result = acceptedImage(await inspect(await fx.decodableHeif(), "image/heic"));
    expect(result.sourceType).toBe("image/heic");
    expect((await fileTypeFromBuffer(result.bytes))?.mime).toBe("image/jpeg");
  });

  it("accepts the content types browsers actually declare (image/jpg, parameters, case)", async () => {
    for (const type of ["image/jpg", "IMAGE/JPEG", "image/jpeg; charset=binary"]) {
      expect(refusal(await inspect(documentJpeg, type))).toBe("accepted");
    }
  });

  it("downscales a picture longer than the stored long edge, keeping its proportions", async () => {
    const wide = await fx.sharpDocument({ width: 5000, height: 1200 });
    const result = acceptedImage(await inspect(wide, "image/jpeg"));
    expect([result.width, result.height]).toEqual([STORED_LONG_EDGE, 960]);
    const stored = await sharp(result.bytes).metadata();
    expect([stored.width, stored.height]).toEqual([STORED_LONG_EDGE, 960]);
  });

  it("flattens transparency onto white instead of black", async () => {
    const png = await sharp({
      create: { width: 1200, height: 800, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .png()
      .toBuffer();
    const result = acceptedImage(await inspect(png, "image/png"));
    const { data } = await sharp(result.bytes).raw().toBuffer({ resolveWithObject: true });
    expect(data.every((v) => v > 250)).toBe(true);
  });
});

describe("PDFs", () => {
  it("stores a clean PDF unchanged, with its page count and SHA-256", async () => {
    const pdf = await fx.cleanPdf(2);
    const result = await inspect(pdf, "application/pdf");
    if (!result.ok || result.kind !== "pdf") throw new Error(JSON.stringify(result));
    expect(result.bytes.equals(pdf)).toBe(true);
    expect(result.pages).toBe(2);
    expect(result.sha256).toBe(createHash("sha256").update(pdf).digest("hex"));
  });

  it("accepts a hand-written PDF without object streams", async () => {
    expect(refusal(await inspect(fx.plainHandWrittenPdf(), "application/pdf"))).toBe("accepted");
  });
});

describe("configuration", () => {
  it("defaults to 10 MiB and 10 pages; reads UPLOAD_MAX_BYTES / DOCUMENT_MAX_PDF_PAGES", () => {
    expect(parseEnv({ NODE_ENV: "development" }).documents).toEqual({
      maxBytes: 10 * 1024 * 1024,
      maxPdfPages: 10,
    });
    expect(
      parseEnv({ NODE_ENV: "development", UPLOAD_MAX_BYTES: "2048", DOCUMENT_MAX_PDF_PAGES: "3" })
        .documents,
    ).toEqual({
      maxBytes: 2048,
      maxPdfPages: 3,
    });
  });
});
