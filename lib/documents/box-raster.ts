/**
 * The quality raster's definition: what the scores and the hash of an uploaded image are computed
 * from (lib/documents/quality.ts), the same on both of the check's paths.
 *
 * 1. Box average over `factor × factor` blocks of the displayed (auto-oriented, sRGB, flattened)
 *    image, factor = ⌊long edge / SCORE_LONG_EDGE⌋ (at least 1): a block's value is the rounded
 *    mean of its pixels; blocks at the right and bottom edges may be narrower. The long edge is
 *    then between SCORE_LONG_EDGE and twice that, or the image's own size when it is smaller.
 * 2. When it is still longer than SCORE_LONG_EDGE, a resize of that small raster to fit
 *    SCORE_LONG_EDGE (sharp, the same call on the same bytes on both paths).
 *
 * Why this shape: step 1 is what the native one-decode path (native/kyc-image) computes while the
 * pixels stream from the decoder to the encoder, at no extra decode; the sharp path computes it in
 * `boxAverage` from a full decode. Integer arithmetic makes both byte-identical (tested), so a
 * photo scores the same whichever path a deployment has. Step 2 keeps the scoring size the
 * browser uses (client-image.ts): a 1600 px photo is scored at 1000 px on both sides.
 */
import sharp from "sharp";
import { SCORE_LONG_EDGE } from "./quality";

export type Raster = { data: Uint8Array; width: number; height: number; channels: number };

/** The block edge for an image of this size, and the size of the averaged raster. */
export function boxGeometry(width: number, height: number, longEdge = SCORE_LONG_EDGE) {
  const factor = Math.max(1, Math.floor(Math.max(width, height) / longEdge));
  return { factor, width: Math.ceil(width / factor), height: Math.ceil(height / factor) };
}

/** Step 1 on a full raster in memory (the sharp path). */
export function boxAverage(image: Raster, factor: number): Raster {
  const { data, width, height, channels } = image;
  if (data.length !== width * height * channels) {
    throw new RangeError(`boxAverage: expected ${width}x${height}x${channels} bytes`);
  }
  if (factor === 1) return image;
  // A plain Uint8Array view: V8 keeps the hot loop below tighter on it than on a Node Buffer.
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.length);
  const outWidth = Math.ceil(width / factor);
  const outHeight = Math.ceil(height / factor);
  const sums = new Uint32Array(outWidth * outHeight * channels);
  const rowBytes = width * channels;
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / factor) * outWidth * channels;
    let p = y * rowBytes;
    for (let bx = 0; bx < outWidth; bx++) {
      const end = Math.min((bx + 1) * factor, width) * channels + y * rowBytes;
      const o = row + bx * channels;
      if (channels === 3) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        for (; p < end; p += 3) {
          s0 += bytes[p]!;
          s1 += bytes[p + 1]!;
          s2 += bytes[p + 2]!;
        }
        sums[o] = sums[o]! + s0;
        sums[o + 1] = sums[o + 1]! + s1;
        sums[o + 2] = sums[o + 2]! + s2;
      } else {
        for (let c = 0; p < end; p++, c = (c + 1) % channels)
          sums[o + c] = sums[o + c]! + bytes[p]!;
      }
    }
  }
  const out = new Uint8Array(sums.length);
  for (let by = 0; by < outHeight; by++) {
    const rows = Math.min(factor, height - by * factor);
    for (let bx = 0; bx < outWidth; bx++) {
      const n = rows * Math.min(factor, width - bx * factor);
      const i = (by * outWidth + bx) * channels;
      for (let c = 0; c < channels; c++) out[i + c] = Math.floor((sums[i + c]! + (n >> 1)) / n);
    }
  }
  return { data: out, width: outWidth, height: outHeight, channels };
}

/** Step 2: the averaged raster, fitted to SCORE_LONG_EDGE when it is longer. */
export async function fitRaster(box: Raster, longEdge = SCORE_LONG_EDGE): Promise<Raster> {
  if (Math.max(box.width, box.height) <= longEdge) return box;
  const { data, info } = await sharp(box.data, {
    raw: { width: box.width, height: box.height, channels: box.channels as 1 | 2 | 3 | 4 },
  })
    .resize({ width: longEdge, height: longEdge, fit: "inside" })
    .raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}
