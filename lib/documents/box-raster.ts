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

/**
 * Rows of pixels averaged between two yields to the event loop: a 12 MP photo takes ~50 ms of JS
 * here, a 40 MP one ~170 ms; in slices of ~4 ms the server keeps answering other requests.
 */
const ROWS_PER_SLICE = 256;

/** Step 1 on a full raster in memory (the sharp path), yielding to the event loop as it goes. */
export async function boxAverage(image: Raster, factor: number): Promise<Raster> {
  const { data, width, height, channels } = image;
  if (data.length !== width * height * channels) {
    throw new RangeError(`boxAverage: expected ${width}x${height}x${channels} bytes`);
  }
  if (factor === 1) return image;
  // A plain Uint8Array view: V8 keeps the hot loop below tighter on it than on a Node Buffer.
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.length);
  const outWidth = Math.ceil(width / factor);
  const outHeight = Math.ceil(height / factor);
  const rowBytes = width * channels;
  const out = new Uint8Array(outWidth * outHeight * channels);
  // One band of `factor` rows at a time: block sums across each row into `band`, then the rounded
  // means. Colour (the common case) keeps its three sums in locals; ~45 ms for 12 MP here.
  const band = new Uint32Array(outWidth * channels);
  const fullBlocks = Math.floor(width / factor);
  let sinceYield = 0;
  for (let by = 0; by < outHeight; by++) {
    if (sinceYield >= ROWS_PER_SLICE) {
      sinceYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    band.fill(0);
    const top = by * factor;
    const rows = Math.min(factor, height - top);
    sinceYield += rows;
    for (let y = top; y < top + rows; y++) {
      let p = y * rowBytes;
      if (channels === 3) {
        for (let bx = 0, o = 0; bx < outWidth; bx++, o += 3) {
          const end = bx < fullBlocks ? p + factor * 3 : (y + 1) * rowBytes;
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          for (; p < end; p += 3) {
            s0 += bytes[p]!;
            s1 += bytes[p + 1]!;
            s2 += bytes[p + 2]!;
          }
          band[o] = band[o]! + s0;
          band[o + 1] = band[o + 1]! + s1;
          band[o + 2] = band[o + 2]! + s2;
        }
      } else {
        for (let x = 0; x < width; x++) {
          const o = Math.floor(x / factor) * channels;
          for (let c = 0; c < channels; c++, p++) band[o + c] = band[o + c]! + bytes[p]!;
        }
      }
    }
    for (let bx = 0; bx < outWidth; bx++) {
      const n = rows * Math.min(factor, width - bx * factor);
      const half = n >> 1;
      const i = bx * channels;
      const q = (by * outWidth + bx) * channels;
      for (let c = 0; c < channels; c++) out[q + c] = Math.floor((band[i + c]! + half) / n);
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
