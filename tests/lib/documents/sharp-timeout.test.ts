/**
 * Every sharp pipeline that decodes a trader's whole image is bounded in time: a file that makes
 * libvips work for long (a crafted JPEG, an image at the pixel limit) is refused, not waited for.
 * sharp enforces the bound itself; what can regress is our asking for it, so this watches the
 * pipelines the confirm check and the checks' quality scoring build.
 */
import sharp, { type Sharp } from "sharp";
import { imageQuality } from "@/lib/documents/analysis";
import { SHARP_TIMEOUT_SECONDS } from "@/lib/documents/image-check";
import { inspectDocument } from "@/lib/documents/inspect";
import { sharpDocument } from "../../fixtures/documents/make-fixtures";

describe("sharp's time limit", () => {
  // A spy calls through: sharp still applies the limit it records.
  let spy: jest.SpyInstance;
  let calls: unknown[][];
  beforeEach(() => {
    spy = jest.spyOn(sharp.prototype as Sharp, "timeout");
    calls = spy.mock.calls;
  });
  afterEach(() => spy.mockRestore());

  it("bounds the confirm check's decode and re-encode", async () => {
    const result = await inspectDocument(await sharpDocument(), "image/jpeg");
    expect(result.ok).toBe(true);
    expect(calls).toContainEqual([{ seconds: SHARP_TIMEOUT_SECONDS }]);
  });

  it("bounds the quality scoring the automated checks run", async () => {
    await imageQuality(await sharpDocument());
    expect(calls).toEqual([[{ seconds: SHARP_TIMEOUT_SECONDS }]]);
  });
});
