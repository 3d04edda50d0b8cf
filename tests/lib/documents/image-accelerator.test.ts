/**
 * The one-decode path (native/kyc-image) against the sharp path it replaces for JPEG photos: the
 * same stored bytes, the same raster, the same verdicts, the same refusals — and the loader's
 * behaviour when the addon is missing, stale or broken.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import sharp from "sharp";
import { boxGeometry } from "@/lib/documents/box-raster";
import {
  acceleratorPath,
  loadImageAccelerator,
  type ImageAccelerator,
} from "@/lib/documents/image-accelerator";
import {
  MAX_INPUT_PIXELS,
  STORED_JPEG_QUALITY,
  STORED_LONG_EDGE,
  checkImage,
  decodeOptions,
  sharpBoxRaster,
} from "@/lib/documents/image-check";
import { inspectDocument } from "@/lib/documents/inspect";
import { captureLogs } from "@/tests/helpers/log-capture";
import { describeWithAccelerator } from "@/tests/helpers/accelerator";
import * as fx from "@/tests/fixtures/documents/make-fixtures";

jest.setTimeout(120_000);

const options = (width: number, height: number, maxPixels = MAX_INPUT_PIXELS) => ({
  maxPixels,
  quality: STORED_JPEG_QUALITY,
  maxLongEdge: STORED_LONG_EDGE,
  boxFactor: boxGeometry(width, height).factor,
});

/** What the sharp path stores for a JPEG that needs no downscale. */
const sharpReencode = (jpeg: Buffer) =>
  sharp(jpeg, decodeOptions(MAX_INPUT_PIXELS)).jpeg({ quality: STORED_JPEG_QUALITY }).toBuffer();

/** Small photos in every shape the one-decode path accepts. */
async function eligibleJpegs(): Promise<[string, Buffer][]> {
  const base = await fx.photo({ width: 1200, height: 900, seed: 3 });
  const cases: [string, Buffer][] = [["plain 1200×900", base]];
  for (const orientation of [2, 3, 4, 5, 6, 7, 8]) {
    cases.push([
      `EXIF orientation ${orientation}`,
      await sharp(base).withMetadata({ orientation }).jpeg({ quality: 90 }).toBuffer(),
    ]);
  }
  cases.push(
    [
      "Display P3 profile (an iPhone photo's)",
      await sharp(base).withIccProfile("p3").jpeg({ quality: 90 }).toBuffer(),
    ],
    [
      "P3 profile and orientation 6 (an iPhone portrait photo)",
      await sharp(base)
        .withIccProfile("p3")
        .withMetadata({ orientation: 6 })
        .jpeg({ quality: 90 })
        .toBuffer(),
    ],
    ["progressive", await sharp(base).jpeg({ progressive: true }).toBuffer()],
    ["4:4:4 chroma", await sharp(base).jpeg({ chromaSubsampling: "4:4:4" }).toBuffer()],
    ["2000×1500 (the upload screen's output)", await fx.photo({ width: 2000, height: 1500 })],
    ["3999×2 (a sliver)", await fx.photo({ width: 3999, height: 2 })],
    ["1×1", await fx.photo({ width: 1, height: 1 })],
    ["odd blocks 2345×1013", await fx.photo({ width: 2345, height: 1013, seed: 5 })],
    ["EXIF + GPS, orientation 6", await fx.exifGpsDocument()],
  );
  return cases;
}

describe("loading the addon", () => {
  it("is never loaded with IMAGE_ACCELERATOR=off", () => {
    expect(loadImageAccelerator("off", path.join(tmpdir(), "nowhere.node"))).toBeNull();
  });

  it("falls back to sharp with a logged reason when it is not built, and refuses when required", () => {
    const missing = path.join(mkdtempSync(path.join(tmpdir(), "kyc-native-")), "kyc_image.node");
    const logs = captureLogs();
    try {
      expect(loadImageAccelerator("auto", missing)).toBeNull();
    } finally {
      logs.stop();
    }
    expect(logs.lines.join("\n")).toMatch(/documents\.accelerator_unavailable.*not built/);
    expect(() => loadImageAccelerator("required", missing)).toThrow(
      /IMAGE_ACCELERATOR=required.*npm run build:native/,
    );
  });

  it("does not load a build for another libvips than sharp's, or a file that is not an addon", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "kyc-native-"));
    const stale = path.join(dir, "stale.node");
    writeFileSync(stale, "not loaded");
    writeFileSync(path.join(dir, "stale.json"), JSON.stringify({ libvips: "8.0.0" }));
    expect(loadImageAccelerator("auto", stale)).toBeNull();
    expect(() => loadImageAccelerator("required", stale)).toThrow(/built for libvips 8\.0\.0/);

    const garbage = path.join(dir, "garbage.node");
    writeFileSync(garbage, Buffer.from("\x7fELF but not really"));
    writeFileSync(path.join(dir, "garbage.json"), JSON.stringify({ libvips: sharp.versions.vips }));
    expect(loadImageAccelerator("auto", garbage)).toBeNull();
    expect(() => loadImageAccelerator("required", garbage)).toThrow(/failed to load/);
  });

  it("looks for the build where npm run build:native writes it", () => {
    expect(acceleratorPath()).toBe(path.resolve("native/build/kyc_image.node"));
  });
});

describeWithAccelerator("the one-decode path", (accelerator: ImageAccelerator) => {
  let jpegs: [string, Buffer][];
  beforeAll(async () => {
    jpegs = await eligibleJpegs();
  });

  it("was built for the libvips sharp runs", () => {
    expect(accelerator.libvipsVersion).toBe(sharp.versions.vips);
  });

  it("stores byte for byte what sharp stores, in every orientation and colour profile", async () => {
    for (const [name, jpeg] of jpegs) {
      const meta = await sharp(jpeg, { autoOrient: true }).metadata();
      const width = meta.autoOrient.width;
      const height = meta.autoOrient.height;
      const result = await accelerator.reencodeJpeg(jpeg, options(width, height));
      const expected = await sharpReencode(jpeg);
      expect({ name, same: result.jpeg.equals(expected) }).toEqual({ name, same: true });
      expect({ name, size: [result.width, result.height] }).toEqual({
        name,
        size: [width, height],
      });
    }
  });

  it("box-averages the same raster as the sharp path's full decode", async () => {
    for (const [name, jpeg] of jpegs) {
      const meta = await sharp(jpeg, { autoOrient: true }).metadata();
      const { factor } = boxGeometry(meta.autoOrient.width, meta.autoOrient.height);
      const result = await accelerator.reencodeJpeg(
        jpeg,
        options(meta.autoOrient.width, meta.autoOrient.height),
      );
      const expected = await sharpBoxRaster(
        sharp(jpeg, decodeOptions(MAX_INPUT_PIXELS)),
        factor,
        meta.autoOrient.width * meta.autoOrient.height * 3,
      );
      expect(result.raster).not.toBeNull();
      const raster = result.raster!;
      expect({ name, size: [raster.width, raster.height, raster.channels] }).toEqual({
        name,
        size: [expected.width, expected.height, expected.channels],
      });
      expect({ name, same: Buffer.from(raster.data).equals(Buffer.from(expected.data)) }).toEqual({
        name,
        same: true,
      });
    }
  });

  it("gives the same verdict, scores and hash as the sharp path for the quality fixtures", async () => {
    const fixtures = [
      await fx.sharpDocument(),
      await fx.blurredDocument(),
      await fx.darkDocument(),
      await fx.glareDocument(),
      await fx.photo({ width: 3000, height: 2000 }), // box factor 3: 1000×667
      await fx.photo({ width: 1600, height: 1200 }), // factor 1, then fitted to 1000 px
    ];
    for (const jpeg of fixtures) {
      const one = await checkImage(jpeg, { accelerator });
      const two = await checkImage(jpeg, { accelerator: null });
      expect(one).toEqual(two);
    }
  });

  it("takes only what it can store as sharp would: others go to the sharp path", async () => {
    const calls: string[] = [];
    const counting: ImageAccelerator = {
      libvipsVersion: accelerator.libvipsVersion,
      reencodeJpeg: (jpeg, opts) => {
        calls.push(`${jpeg.length}`);
        return accelerator.reencodeJpeg(jpeg, opts);
      },
    };
    const base = await fx.photo({ width: 900, height: 700 });
    const others = [
      await sharp(base).png().toBuffer(),
      await sharp(base).webp().toBuffer(),
      await sharp(base).ensureAlpha(0.5).png().toBuffer(),
      await fx.photo({ width: 4200, height: 2000 }), // needs the downscale to 4000 px
      await sharp(base).toColourspace("cmyk").jpeg().toBuffer(),
      await sharp(base).toColourspace("b-w").jpeg().toBuffer(),
    ];
    for (const image of others) {
      const result = await checkImage(image, { accelerator: counting });
      expect(result.ok).toBe(true);
    }
    // The CMYK and greyscale JPEGs are refused by the header check before the addon sees them.
    expect(calls).toEqual([]);
    const mine = await checkImage(base, { accelerator: counting });
    expect(mine.ok && calls.length).toBe(1);
  });

  it("says NOT_ELIGIBLE itself for a JPEG the caller should not have sent, decoding nothing", async () => {
    const cmyk = await sharp(await fx.photo({ width: 300, height: 200 }))
      .toColourspace("cmyk")
      .jpeg()
      .toBuffer();
    const big = await fx.photo({ width: 4001, height: 100 });
    for (const jpeg of [cmyk, big]) {
      await expect(accelerator.reencodeJpeg(jpeg, options(4001, 100))).rejects.toMatchObject({
        code: "NOT_ELIGIBLE",
      });
    }
    // A box factor that would keep the whole image (4.2 MP) as the raster.
    const photo = await fx.photo({ width: 2100, height: 2000 });
    await expect(
      accelerator.reencodeJpeg(photo, { ...options(2100, 2000), boxFactor: 1 }),
    ).rejects.toMatchObject({ code: "NOT_ELIGIBLE" });
  });

  it("refuses damaged and hostile files with the sharp path's reasons", async () => {
    const limits = {
      maxBytes: 10 * 1024 * 1024,
      maxPdfPages: 10,
      maxInputPixels: MAX_INPUT_PIXELS,
    };
    const cases: [Buffer, string][] = [
      [await fx.truncatedJpeg(), "corrupt"],
      [Buffer.concat([(await fx.sharpDocument()).subarray(0, 600), Buffer.alloc(4000)]), "corrupt"],
    ];
    for (const [bytes, reason] of cases) {
      const one = await inspectDocument(bytes, "image/jpeg", { ...limits, accelerator });
      const two = await inspectDocument(bytes, "image/jpeg", { ...limits, accelerator: null });
      expect(one.ok ? "accepted" : one.reason).toBe(reason);
      expect(two.ok ? "accepted" : two.reason).toBe(reason);
    }
    // Over the pixel limit: refused from the header on both paths, and by the addon on its own.
    const photo = await fx.photo({ width: 1200, height: 900 });
    const small = { ...limits, maxInputPixels: 1_000_000, accelerator };
    const refused = await inspectDocument(photo, "image/jpeg", small);
    expect(refused.ok ? "accepted" : refused.reason).toBe("too_many_pixels");
    await expect(
      accelerator.reencodeJpeg(photo, options(1200, 900, 1_000_000)),
    ).rejects.toMatchObject({ code: "DECODE", message: expect.stringMatching(/pixel limit/) });
    await expect(
      accelerator.reencodeJpeg(Buffer.from("<html>not a jpeg</html>"), options(10, 10)),
    ).rejects.toMatchObject({ code: "DECODE" });
  });

  it("never refuses a good photo for the addon's own failure: the sharp path decides and it is logged", async () => {
    const photo = await fx.photo({ width: 1200, height: 900 });
    const failing = (code: string): ImageAccelerator => ({
      libvipsVersion: accelerator.libvipsVersion,
      reencodeJpeg: () => Promise.reject(Object.assign(new Error(`injected ${code}`), { code })),
    });
    const expected = await checkImage(photo, { accelerator: null });
    for (const code of ["NO_MEMORY", "KYC_IMAGE_INTERNAL"]) {
      const logs = captureLogs();
      try {
        expect(await checkImage(photo, { accelerator: failing(code) })).toEqual(expected);
      } finally {
        logs.stop();
      }
      expect(logs.lines.join("\n")).toMatch(new RegExp(`documents\\.accelerator_failed.*${code}`));
    }
    // Its DECODE verdict on a damaged file stands, as the sharp path's would.
    const damaged = await checkImage(await fx.truncatedJpeg(), { accelerator: failing("DECODE") });
    expect(damaged.ok ? "accepted" : damaged.reason).toBe("corrupt");
  });

  it("stores a JPEG/HTML polyglot as pixels only: no HTML, no EXIF, no GPS survive", async () => {
    for (const jpeg of [await fx.jpegHtmlPolyglot(), await fx.exifGpsDocument()]) {
      const result = await checkImage(jpeg, { accelerator });
      if (!result.ok) throw new Error(result.detail);
      expect(result.bytes.includes(Buffer.from(fx.HTML_PAYLOAD))).toBe(false);
      expect(result.bytes.includes(Buffer.from("<script"))).toBe(false);
      const meta = await sharp(result.bytes).metadata();
      expect([meta.exif, meta.icc, meta.orientation]).toEqual([undefined, undefined, undefined]);
    }
  });

  it("agrees with sharp on damaged JPEGs: both refuse, or both store the same bytes", async () => {
    const jpeg = await fx.photo({ width: 320, height: 220, seed: 9 });
    const outcome = async (bytes: Buffer) => {
      const [one, two] = await Promise.allSettled([
        accelerator.reencodeJpeg(bytes, options(320, 220)),
        sharpReencode(bytes),
      ]);
      return { one, two };
    };
    let compared = 0;
    let stored = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            at: fc.integer({ min: 0, max: jpeg.length - 1 }),
            value: fc.integer({ min: 0, max: 255 }),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        // Whole files half the time: flipped entropy data often still decodes, with damage.
        fc.oneof(fc.constant(jpeg.length), fc.integer({ min: 2, max: jpeg.length })),
        async (flips, length) => {
          const bytes = Buffer.from(jpeg.subarray(0, length));
          for (const { at, value } of flips) if (at < bytes.length) bytes[at] = value;
          const { one, two } = await outcome(bytes);
          // A header the flips turned into another shape is not the addon's to take.
          if (
            one.status === "rejected" &&
            (one.reason as { code?: string }).code === "NOT_ELIGIBLE"
          )
            return;
          compared++;
          expect(one.status).toBe(two.status);
          if (one.status === "fulfilled" && two.status === "fulfilled") {
            stored++;
            expect(one.value.jpeg.equals(two.value)).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
    expect(compared).toBeGreaterThan(100);
    expect(stored).toBeGreaterThan(10);
  });

  it("checks argument types and ranges instead of crashing", () => {
    const call = accelerator.reencodeJpeg as unknown as (...args: unknown[]) => unknown;
    // Errors thrown by native code belong to Node's realm, not jest's: compared by name.
    const thrown = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      }
      return "nothing thrown";
    };
    expect(thrown(() => call("not a buffer", options(1, 1)))).toMatch(/^TypeError: reencodeJpeg/);
    expect(thrown(() => call(Buffer.alloc(4)))).toMatch(/^TypeError/);
    expect(thrown(() => call(Buffer.alloc(4), { ...options(1, 1), quality: 0 }))).toMatch(
      /^RangeError/,
    );
    expect(thrown(() => call(Buffer.alloc(4), { ...options(1, 1), boxFactor: "2" }))).toMatch(
      /^RangeError/,
    );
    expect(thrown(() => call(Buffer.alloc(4), {}))).toMatch(/^RangeError/);
  });

  it("keeps concurrent jobs apart: eight at once, each equal to its own sharp re-encode", async () => {
    const inputs = await Promise.all(
      Array.from({ length: 8 }, (_, i) => fx.photo({ width: 600 + i * 37, height: 500, seed: i })),
    );
    const results = await Promise.all(
      inputs.map((jpeg, i) => accelerator.reencodeJpeg(jpeg, options(600 + i * 37, 500))),
    );
    for (const [i, jpeg] of inputs.entries()) {
      expect(results[i]!.jpeg.equals(await sharpReencode(jpeg))).toBe(true);
      expect(results[i]!.width).toBe(600 + i * 37);
    }
  });
});
