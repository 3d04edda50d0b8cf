/**
 * The image half of the confirm step: fully decode an upload under a pixel limit, auto-orient it
 * and re-encode it as a fresh JPEG. The re-encode is the point: the stored bytes are pixels we
 * produced, so EXIF/GPS, ICC, comments and anything smuggled after the image data (a JPEG/HTML
 * polyglot) are gone — nothing of the original file survives.
 *
 * Two paths, one result. The quality raster (box-raster.ts, for the scores and the hash) needs the
 * same pixels as the re-encode:
 * - **one decode** (image-accelerator.ts): for an 8-bit RGB JPEG that needs no downscale — every
 *   photo our own upload screen sends (≤ 2000 px), and camera JPEGs up to 4000 px — the native
 *   addon re-encodes it exactly as sharp would and box-averages the raster from the same decode;
 * - **sharp**: everything else (PNG, WebP, HEIC, CMYK, larger than STORED_LONG_EDGE, alpha), and
 *   every image where the addon is not built: the re-encode and a second, full decode for the
 *   raster run side by side.
 * Both produce the same bytes and the same raster (tests/lib/documents/image-accelerator.test.ts).
 *
 * HEVC-coded HEIC (iPhone photos) is the one sharp's prebuilt libvips cannot decode: its pixels
 * come from libheif-js (heif-decode.ts) as a raw buffer and then take the sharp path.
 */
import sharp, { type Sharp, type SharpOptions } from "sharp";
import { log } from "@/lib/log";
import { boxAverage, boxGeometry, fitRaster, type Raster } from "./box-raster";
import { ByteBudget } from "./byte-budget";
import { decodeHeif } from "./heif-decode";
import type { ImageAccelerator } from "./image-accelerator";
import {
  qualityVerdict,
  scoreColourRaster,
  type QualityIssue,
  type QualityScores,
} from "./quality";

/** Largest stored long edge: enough for a reviewer to read a passport's machine-readable zone. */
export const STORED_LONG_EDGE = 4000;
export const STORED_JPEG_QUALITY = 85;
/** Decompression-bomb guard: a decoded image above this many pixels is refused unread. */
export const MAX_INPUT_PIXELS = 40_000_000;

export type ImageCheck =
  | {
      ok: true;
      bytes: Buffer;
      /** Size of the stored JPEG. */
      storedWidth: number;
      storedHeight: number;
      scores: QualityScores;
      issues: QualityIssue[];
      phash: string;
    }
  | { ok: false; reason: "corrupt" | "too_many_pixels" | "unsupported_type"; detail: string };

const PIXEL_LIMIT_ERROR = /pixel limit/i;
// libvips's libheif without a decoder for the file's codec (the prebuilt one has AV1 only).
const MISSING_CODEC_ERROR =
  /compression format has not been built in|no decoding plugin|unsupported codec/i;
/**
 * Whether this libvips lists .heic among the HEIF suffixes it reads (prebuilt: .avif only); when
 * it does not, HEVC goes to heif-decode.ts.
 */
export const HEVC_DECODABLE = (sharp.format.heif?.input.fileSuffix ?? []).includes(".heic");

/**
 * Map sharp failures to a reason. libvips keeps one error buffer for the whole process, so when
 * pipelines fail at the same time their messages can land in each other's errors: the reason is
 * decided from facts where possible (the header's pixel count), and the text of every failed
 * pipeline is read, not only the first.
 */
function refuseFromSharpErrors(errors: unknown[], heif: boolean): ImageCheck {
  const messages = errors.map((e) => (e instanceof Error ? e.message : String(e))).join("\n");
  // libvips prefixes the decoder's own error with lines of its sniffing; the last line is the cause.
  const lines = messages.split("\n").filter((line) => line.trim() !== "");
  const cause = lines.findLast((line) => !/^source: bad seek/.test(line)) ?? lines[0] ?? "";
  if (PIXEL_LIMIT_ERROR.test(messages)) {
    return { ok: false, reason: "too_many_pixels", detail: cause };
  }
  // A HEIF in a codec neither sharp nor heif-decode.ts handles (VVC, AVC, JPEG-in-HEIF…).
  if (heif && MISSING_CODEC_ERROR.test(messages)) {
    return { ok: false, reason: "unsupported_type", detail: `HEIC not decodable here: ${cause}` };
  }
  return { ok: false, reason: "corrupt", detail: cause };
}

/** How every pipeline here opens an upload (pixels come from the trader: nothing is trusted). */
export function decodeOptions(maxInputPixels: number): SharpOptions {
  // failOn "error": a truncated or damaged image is refused instead of being stored with grey
  // blocks; harmless warnings (e.g. stray bytes between markers) do not refuse a phone photo.
  return { failOn: "error", limitInputPixels: maxInputPixels, autoOrient: true };
}

/**
 * Decoded bytes the sharp path's raster decodes may hold at once: one image at the 40 MP limit
 * (120 MB), or several ordinary photos (36 MB at 12 MP); the rest wait their turn.
 */
export const RASTER_DECODE_BUDGET = new ByteBudget(128 * 1024 * 1024);

/**
 * The quality raster on the sharp path: a full decode of the displayed image to raw pixels, box-
 * averaged in JS (box-raster.ts step 1). It costs a second full decode and, for a moment, the raw
 * image in memory (36 MB for 12 MP), within RASTER_DECODE_BUDGET; the one-decode path avoids both
 * for the common JPEG photo. `decodedBytes`: width × height × channels, from the header.
 */
export async function sharpBoxRaster(
  image: Sharp,
  factor: number,
  decodedBytes: number,
): Promise<Raster> {
  return RASTER_DECODE_BUDGET.run(decodedBytes, async () => {
    const { data, info } = await image
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
    return boxAverage(
      { data, width: info.width, height: info.height, channels: info.channels },
      factor,
    );
  });
}

/**
 * Decode, score and re-encode one image. `heif` marks HEIC/HEIF input: HEVC-coded ones are
 * decoded by libheif-js when this sharp cannot, and a missing decoder for another HEIF codec is
 * reported as an unsupported type, not as a damaged file. `accelerator`: the one-decode path,
 * when the deployment has it (inspect.ts passes the configured one; null: sharp only).
 */
export async function checkImage(
  input: Buffer,
  options: { heif?: boolean; maxInputPixels?: number; accelerator?: ImageAccelerator | null } = {},
): Promise<ImageCheck> {
  const heif = options.heif ?? false;
  const maxPixels = options.maxInputPixels ?? MAX_INPUT_PIXELS;
  // Each step only when needed, so the common case (an opaque photo ≤ 4000 px) runs the same
  // decode → encode pipeline as a bare re-encode.
  let hasAlpha = false;
  let needsDownscale = false;
  // Set for a HEIC that heif-decode.ts decoded: its pixels, already in display orientation.
  let raw: { pixels: Buffer; width: number; height: number; channels: 3 | 4 } | null = null;
  const open = () => {
    const image = raw
      ? sharp(raw.pixels, {
          raw: { width: raw.width, height: raw.height, channels: raw.channels },
          limitInputPixels: maxPixels,
        })
      : sharp(input, decodeOptions(maxPixels));
    // JPEG has no alpha: flatten onto white, not the encoder's default black.
    return hasAlpha ? image.flatten({ background: "#ffffff" }) : image;
  };

  let width: number;
  let height: number;
  let hevc = false;
  let oneDecodeCandidate = false;
  try {
    // Header only: refuse a bomb before a single pixel is decoded (limitInputPixels is the
    // second guard, inside the decode itself).
    const meta = await open().metadata();
    if (!meta.width || !meta.height) {
      return { ok: false, reason: "corrupt", detail: "no image dimensions" };
    }
    if (meta.width * meta.height > maxPixels) {
      return {
        ok: false,
        reason: "too_many_pixels",
        detail: `${meta.width}x${meta.height} exceeds ${maxPixels} pixels`,
      };
    }
    // autoOrient: true makes metadata report the displayed (rotated) size.
    width = meta.autoOrient?.width ?? meta.width;
    height = meta.autoOrient?.height ?? meta.height;
    hasAlpha = meta.hasAlpha ?? false;
    hevc = heif && meta.compression === "hevc";
    // The addon re-checks all of this itself before it decodes a pixel.
    oneDecodeCandidate =
      meta.format === "jpeg" && meta.channels === 3 && meta.depth === "uchar" && !hasAlpha;
  } catch (error) {
    return refuseFromSharpErrors([error], heif);
  }

  if (hevc && !HEVC_DECODABLE) {
    // The header above was read by sharp and passed the pixel limit; heif-decode.ts checks the
    // primary image's size again before it decodes.
    const decoded = await decodeHeif(input, { maxInputPixels: maxPixels });
    if (decoded.ok) {
      raw = decoded;
      width = decoded.width;
      height = decoded.height;
      hasAlpha = decoded.channels === 4;
    } else if (decoded.reason !== "unsupported_type") {
      return decoded;
    }
    // unsupported_type: libvips infers "hevc" from the heic brand, and libheif-js found another
    // codec inside (AV1, say): sharp's own decoder gets its chance below.
  }
  needsDownscale = Math.max(width, height) > STORED_LONG_EDGE;
  const box = boxGeometry(width, height);
  // What the sharp path's raster decode will hold: flattened to 3 channels, or grey.
  const decodedBytes = width * height * 3;

  let stored: { data: Buffer; width: number; height: number } | null = null;
  let boxed: Raster | null = null;
  const accelerator = options.accelerator ?? null;
  if (accelerator && oneDecodeCandidate && !needsDownscale && !raw) {
    try {
      const result = await accelerator.reencodeJpeg(input, {
        maxPixels,
        quality: STORED_JPEG_QUALITY,
        maxLongEdge: STORED_LONG_EDGE,
        boxFactor: box.factor,
      });
      stored = { data: result.jpeg, width: result.width, height: result.height };
      // The addon hands back no raster only when its pipeline skipped rows (never seen so far);
      // the sharp path's decode then supplies it, same definition.
      boxed = result.raster ?? (await sharpBoxRaster(open(), box.factor, decodedBytes));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // The file itself failed (the addon's DECODE, or sharp's own error above): refused, with
      // the reason the sharp path would give — both read it with the same libvips loader.
      if (code === "DECODE" || code === undefined) return refuseFromSharpErrors([error], heif);
      // NOT_ELIGIBLE (a JPEG the header misdescribed) or the addon's own trouble (NO_MEMORY, a
      // Node-API failure): never the trader's problem — the sharp path decides.
      if (code !== "NOT_ELIGIBLE") {
        log.warn("documents.accelerator_failed", {
          code: String(code),
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  if (!stored || !boxed) {
    const storedPipeline = needsDownscale
      ? open().resize({ width: STORED_LONG_EDGE, height: STORED_LONG_EDGE, fit: "inside" })
      : open();
    const settled = await Promise.allSettled([
      // No withMetadata/keepExif/keepIccProfile: the output carries no EXIF, GPS or ICC.
      storedPipeline.jpeg({ quality: STORED_JPEG_QUALITY }).toBuffer({ resolveWithObject: true }),
      sharpBoxRaster(open(), box.factor, decodedBytes),
    ]);
    const [storedResult, boxResult] = settled;
    if (storedResult?.status !== "fulfilled" || boxResult?.status !== "fulfilled") {
      const errors = settled.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
      return refuseFromSharpErrors(errors, heif);
    }
    const { data, info } = storedResult.value;
    stored = { data, width: info.width, height: info.height };
    boxed = boxResult.value;
  }

  const raster = await fitRaster(boxed);
  const scored = scoreColourRaster(raster.data, raster.width, raster.height, raster.channels);
  const scores: QualityScores = { width, height, ...scored.scores };
  return {
    ok: true,
    bytes: stored.data,
    storedWidth: stored.width,
    storedHeight: stored.height,
    scores,
    issues: qualityVerdict(scores),
    phash: scored.phash,
  };
}
