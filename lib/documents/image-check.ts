/**
 * The image half of the confirm step: fully decode an upload with sharp under a pixel limit,
 * auto-orient it and re-encode it as a fresh JPEG. The re-encode is the point: the stored bytes
 * are pixels we produced, so EXIF/GPS, ICC, comments and anything smuggled after the image data
 * (a JPEG/HTML polyglot) are gone — nothing of the original file survives.
 *
 * Cost: one full decode. The quality raster (SCORE_LONG_EDGE, for the scores and the hash) comes
 * from a second pipeline on the same input that runs alongside the re-encode; for JPEG and WebP
 * it decodes at reduced size (shrink-on-load), which skips most of the IDCT and colour work but
 * not the entropy decoding, so it costs ~0.3 of the bare decode + re-encode in CPU; on an idle
 * second core it overlaps the re-encode instead of adding to it. Decoding once to a full-size raw
 * buffer and deriving both outputs from it was measured too and is slower: the 36 MB round trip
 * through memory costs more than the reduced second decode (`npm run bench:documents`).
 *
 * HEVC-coded HEIC (iPhone photos) is the exception sharp's prebuilt libvips cannot decode: its
 * pixels come from libheif-js (heif-decode.ts) as a raw buffer and then take the same pipeline.
 */
import sharp, { type Sharp, type SharpOptions } from "sharp";
import { decodeHeif } from "./heif-decode";
import {
  SCORE_LONG_EDGE,
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
 * The raster the scores and the hash are computed from: long edge SCORE_LONG_EDGE (or less for a
 * smaller picture), in colour — the luminance is taken in JS, because sharp's greyscale()
 * converts before the resize, at full size, which costs more than this whole pipeline. For JPEG
 * and WebP the decoder shrinks on load, but its entropy decoding still reads the whole file: this
 * is the check's one cost beyond a bare re-encode (the documents benchmark prints it on its own).
 */
export function qualityRaster(image: Sharp) {
  // withoutEnlargement: a picture smaller than that is scored at its own size, as the browser
  // scores it (client-image.ts) — enlarging would smear it and call a sharp small photo blurry.
  return image
    .resize({
      width: SCORE_LONG_EDGE,
      height: SCORE_LONG_EDGE,
      fit: "inside",
      withoutEnlargement: true,
    })
    .raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true });
}

/**
 * Decode, score and re-encode one image. `heif` marks HEIC/HEIF input: HEVC-coded ones are
 * decoded by libheif-js when this sharp cannot, and a missing decoder for another HEIF codec is
 * reported as an unsupported type, not as a damaged file.
 */
export async function checkImage(
  input: Buffer,
  options: { heif?: boolean; maxInputPixels?: number } = {},
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

  const storedPipeline = needsDownscale
    ? open().resize({ width: STORED_LONG_EDGE, height: STORED_LONG_EDGE, fit: "inside" })
    : open();
  const settled = await Promise.allSettled([
    // No withMetadata/keepExif/keepIccProfile: the output carries no EXIF, GPS or ICC.
    storedPipeline.jpeg({ quality: STORED_JPEG_QUALITY }).toBuffer({ resolveWithObject: true }),
    // Scored as soon as the small raster is out, while the re-encode is still running.
    qualityRaster(open()).then(({ data, info }) =>
      scoreColourRaster(data, info.width, info.height, info.channels),
    ),
  ]);
  const [storedResult, smallResult] = settled;
  if (storedResult?.status !== "fulfilled" || smallResult?.status !== "fulfilled") {
    const errors = settled.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
    return refuseFromSharpErrors(errors, heif);
  }
  const stored = storedResult.value;
  const scores: QualityScores = { width, height, ...smallResult.value.scores };
  return {
    ok: true,
    bytes: stored.data,
    storedWidth: stored.info.width,
    storedHeight: stored.info.height,
    scores,
    issues: qualityVerdict(scores),
    phash: smallResult.value.phash,
  };
}
