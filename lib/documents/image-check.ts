/**
 * The image half of the confirm step: fully decode an upload under a pixel limit, auto-orient it
 * and re-encode it as a fresh JPEG. The re-encode is the point: the stored bytes are pixels we
 * produced, so EXIF/GPS, ICC, comments and anything smuggled after the image data (a JPEG/HTML
 * polyglot) are gone — nothing of the original file survives.
 *
 * One decode, one encode: the same pipeline as a bare `sharp(input).rotate().jpeg()`, so the
 * trader waits for little more than that (docs/benchmarks.md, "Document check"). The quality
 * scores and the perceptual hash are computed later, from the stored JPEG, by the checks after
 * submit (analysis.ts); the browser scores the photo before it is sent.
 *
 * HEVC-coded HEIC (iPhone photos) is the one sharp's prebuilt libvips cannot decode: its pixels
 * come from libheif-js (heif-decode.ts) as a raw buffer and then take the same pipeline.
 */
import { errorMessage } from "@/lib/errors";
import sharp, { type SharpOptions } from "sharp";
import { decodeHeif } from "./heif-decode";

/** Largest stored long edge: enough for a reviewer to read a passport's machine-readable zone. */
export const STORED_LONG_EDGE = 4000;
export const STORED_JPEG_QUALITY = 85;
/** Decompression-bomb guard: a decoded image above this many pixels is refused unread. */
export const MAX_INPUT_PIXELS = 40_000_000;
/**
 * How long sharp may spend on one decode and re-encode before libvips stops it and the file is
 * refused (`corrupt`): many times what a 12 MP photo takes (docs/benchmarks.md), so only a file
 * built to be slow meets it, and it holds its slot of the document limit no longer than this.
 */
export const SHARP_TIMEOUT_SECONDS = 10;

export type ImageCheck =
  | {
      ok: true;
      bytes: Buffer;
      /** Size of the stored JPEG. */
      storedWidth: number;
      storedHeight: number;
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
 * Map a sharp failure to a reason. libvips keeps one error buffer for the whole process, so when
 * two uploads fail at the same time their messages can land in each other's errors: the reason is
 * decided from facts where possible (the header's pixel count, checked before any decode).
 */
function refuseFromSharpError(error: unknown, heif: boolean): ImageCheck {
  const messages = errorMessage(error);
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
 * Decode and re-encode one image. `heif` marks HEIC/HEIF input: HEVC-coded ones are decoded by
 * libheif-js when this sharp cannot, and a missing decoder for another HEIF codec is reported as
 * an unsupported type, not as a damaged file.
 */
export async function checkImage(
  input: Buffer,
  options: { heif?: boolean; maxInputPixels?: number; timeoutSeconds?: number } = {},
): Promise<ImageCheck> {
  const heif = options.heif ?? false;
  const timeoutSeconds = options.timeoutSeconds ?? SHARP_TIMEOUT_SECONDS;
  const maxPixels = options.maxInputPixels ?? MAX_INPUT_PIXELS;
  // Each step only when needed, so the common case (an opaque photo ≤ 4000 px) runs the same
  // decode → encode pipeline as a bare re-encode.
  let hasAlpha = false;
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
    return refuseFromSharpError(error, heif);
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

  const pipeline =
    Math.max(width, height) > STORED_LONG_EDGE
      ? open().resize({ width: STORED_LONG_EDGE, height: STORED_LONG_EDGE, fit: "inside" })
      : open();
  try {
    // No withMetadata/keepExif/keepIccProfile: the output carries no EXIF, GPS or ICC.
    const { data, info } = await pipeline
      .timeout({ seconds: timeoutSeconds })
      .jpeg({ quality: STORED_JPEG_QUALITY })
      .toBuffer({ resolveWithObject: true });
    return { ok: true, bytes: data, storedWidth: info.width, storedHeight: info.height };
  } catch (error) {
    return refuseFromSharpError(error, heif);
  }
}
