/**
 * Image quality scores and a perceptual hash, computed from one small greyscale raster.
 *
 * Why a fixed size: the Laplacian variance (the blur score) depends on resolution, so every image
 * is scored at the same long edge (SCORE_LONG_EDGE) — the scores of a 12 MP phone photo and of a
 * 2 MP scan are then comparable, and the thresholds below mean the same thing for both. A picture
 * smaller than that is scored at its own size, never enlarged (it is too small anyway, and
 * enlarging would make a sharp one look blurry). The server fits the stored image to that edge
 * with sharp (analysis.ts), the browser with a canvas (client-image.ts); this module is pure
 * arithmetic over bytes, so it can be tested without sharp and reused by the browser-side
 * pre-check.
 *
 * Thresholds are calibrated on the generated fixtures in tests/fixtures/documents (a sharp
 * document photo, the same blurred, darkened, with a glare spot); see the test for the margins.
 */

/** Long edge (px) of the greyscale raster every image is scored on. */
export const SCORE_LONG_EDGE = 1000;

/** Below either edge (px, original orientation-corrected size) an image is `too_small`. */
export const MIN_LONG_EDGE = 1000;
export const MIN_SHORT_EDGE = 600;
/**
 * Laplacian variance at SCORE_LONG_EDGE below which an image is `blurry`. The sharp fixture
 * scores in the thousands, the same image blurred (sigma 4 at 2000 px) in the tens.
 */
export const BLUR_MIN_VARIANCE = 150;
/** Mean luminance (0..255) below which an image is `too_dark`. */
export const DARK_MAX_BRIGHTNESS = 70;
/** A pixel at or above this luminance counts as blown out. */
export const GLARE_PIXEL_LEVEL = 250;
/**
 * Fraction of blown-out pixels above which an image has `glare`. Photos of paper almost never
 * clip; a flat scan with a pure white background does, so this is advice ("use anyway" exists),
 * never a refusal.
 */
export const GLARE_MAX_FRACTION = 0.04;
/**
 * Two dHashes at most this many bits apart are treated as the same picture. Re-encoded, rescaled
 * or slightly cropped copies of a fixture stay within 0–4 bits; a different document printed on
 * the same template (same layout, other text and portrait) lands 6–11 bits away, an unrelated
 * picture ~30. The margin to same-template documents is thin, so a match is a hint for the
 * reviewer ("this picture was already uploaded by another trader"), never a refusal.
 */
export const NEAR_DUPLICATE_MAX_DISTANCE = 4;

export type QualityScores = {
  /** Size of the original image after auto-orientation, before any downscale. */
  width: number;
  height: number;
  /** Mean luminance, 0..255. */
  brightness: number;
  /** Variance of the 4-neighbour Laplacian at SCORE_LONG_EDGE; higher is sharper. */
  blur: number;
  /** Fraction (0..1) of pixels at or above GLARE_PIXEL_LEVEL. */
  glare: number;
};

export type QualityIssue = "too_small" | "blurry" | "too_dark" | "glare";

export type GreyRaster = { data: Uint8Array; width: number; height: number };

/**
 * The luminance (Rec. 709 weights, integer arithmetic) of an 8-bit raster with 1–4 channels:
 * grey or grey+alpha use their first channel, colour its first three.
 */
export function luminance(
  data: Uint8Array,
  width: number,
  height: number,
  channels: number,
): GreyRaster {
  const n = width * height;
  if (data.length !== n * channels || channels < 1 || channels > 4) {
    throw new RangeError(`luminance: expected ${width}x${height}x${channels} bytes`);
  }
  if (channels === 1) return { data, width, height };
  const out = new Uint8Array(n);
  if (channels === 2) {
    for (let i = 0; i < n; i++) out[i] = data[i * 2]!;
  } else {
    for (let i = 0, j = 0; i < n; i++, j += channels) {
      out[i] = (54 * data[j]! + 183 * data[j + 1]! + 19 * data[j + 2]! + 128) >> 8;
    }
  }
  return { data: out, width, height };
}

/**
 * Brightness, blur and glare of a single-channel 8-bit raster (one byte per pixel). A raster
 * thinner than 3 pixels (a 4000×4 strip scored at 1000 px is 1000×1) has no interior for the
 * Laplacian: its blur is 0, and the size check calls the picture too small.
 */
export function scoreRaster({ data, width, height }: GreyRaster): {
  brightness: number;
  blur: number;
  glare: number;
} {
  if (data.length !== width * height || width < 1 || height < 1) {
    throw new RangeError(`scoreRaster: expected ${width}x${height} single-channel bytes`);
  }
  let sum = 0;
  let clipped = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    sum += v;
    if (v >= GLARE_PIXEL_LEVEL) clipped++;
  }
  // Laplacian over the interior (border pixels have no full neighbourhood); variance in one pass.
  let lapSum = 0;
  let lapSq = 0;
  for (let y = 1; y < height - 1; y++) {
    const row = y * width;
    for (let x = 1; x < width - 1; x++) {
      const i = row + x;
      const lap = data[i - 1]! + data[i + 1]! + data[i - width]! + data[i + width]! - 4 * data[i]!;
      lapSum += lap;
      lapSq += lap * lap;
    }
  }
  const n = Math.max(0, width - 2) * Math.max(0, height - 2);
  const lapMean = n ? lapSum / n : 0;
  return {
    brightness: sum / data.length,
    blur: n ? lapSq / n - lapMean * lapMean : 0,
    glare: clipped / data.length,
  };
}

/** What a trader should be told about a picture; empty when it looks fine. */
export function qualityVerdict(scores: QualityScores): QualityIssue[] {
  const issues: QualityIssue[] = [];
  const long = Math.max(scores.width, scores.height);
  const short = Math.min(scores.width, scores.height);
  if (long < MIN_LONG_EDGE || short < MIN_SHORT_EDGE) issues.push("too_small");
  if (scores.blur < BLUR_MIN_VARIANCE) issues.push("blurry");
  if (scores.brightness < DARK_MAX_BRIGHTNESS) issues.push("too_dark");
  if (scores.glare > GLARE_MAX_FRACTION) issues.push("glare");
  return issues;
}

/**
 * 64-bit difference hash (dHash) as 16 hex digits: the raster is area-averaged to 9×8 cells and
 * each bit says whether a cell is brighter than its right neighbour. Re-encoding, rescaling and
 * mild brightness changes keep it within a few bits (see NEAR_DUPLICATE_MAX_DISTANCE).
 */
export function differenceHash({ data, width, height }: GreyRaster): string {
  const cols = 9;
  const rows = 8;
  const cells = new Float64Array(cols * rows);
  for (let r = 0; r < rows; r++) {
    const y0 = Math.floor((r * height) / rows);
    const y1 = Math.max(y0 + 1, Math.floor(((r + 1) * height) / rows));
    for (let c = 0; c < cols; c++) {
      const x0 = Math.floor((c * width) / cols);
      const x1 = Math.max(x0 + 1, Math.floor(((c + 1) * width) / cols));
      let s = 0;
      for (let y = y0; y < y1; y++) {
        const row = y * width;
        for (let x = x0; x < x1; x++) s += data[row + x]!;
      }
      cells[r * cols + c] = s / ((y1 - y0) * (x1 - x0));
    }
  }
  return hashCells(cells, cols, rows);
}

/** The dHash bits of cell means: is each cell brighter than its right neighbour. */
function hashCells(cells: Float64Array, cols: number, rows: number): string {
  let hash = 0n;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols - 1; c++) {
      hash = (hash << 1n) | (cells[r * cols + c]! > cells[r * cols + c + 1]! ? 1n : 0n);
    }
  }
  return hash.toString(16).padStart(16, "0");
}

/**
 * `scoreRaster(luminance(…))` and `differenceHash(luminance(…))` in one pass over an 8-bit
 * raster with 1–4 channels: the same numbers, exactly (the sums are integers, kept exact), for
 * about 60 % of the time of the three passes. Each row's
 * luminance is written once; the Laplacian of the row above is taken as soon as its lower
 * neighbour exists; the dHash cells are summed per row.
 */
export function scoreColourRaster(
  data: Uint8Array,
  width: number,
  height: number,
  channels: number,
): { scores: Omit<QualityScores, "width" | "height">; phash: string } {
  const cols = 9;
  const rows = 8;
  // Below 9×8 the dHash cells overlap (each is at least one pixel): the separate passes handle it.
  if (width < cols || height < rows) {
    const grey = luminance(data, width, height, channels);
    return { scores: scoreRaster(grey), phash: differenceHash(grey) };
  }
  if (data.length !== width * height * channels || channels < 1 || channels > 4) {
    throw new RangeError(`scoreColourRaster: expected ${width}x${height}x${channels} bytes`);
  }
  const colour = channels >= 3;
  const grey = new Uint8Array(width * height);
  const xBounds = new Int32Array(cols + 1);
  for (let c = 0; c <= cols; c++) xBounds[c] = Math.floor((c * width) / cols);
  const cells = new Float64Array(cols * rows);
  let sum = 0;
  let clipped = 0;
  let lapSum = 0;
  let lapSq = 0;
  let cellRow = 0;
  let cellRowEnd = Math.floor(height / rows);
  for (let y = 0; y < height; y++) {
    if (y >= cellRowEnd) {
      cellRow++;
      cellRowEnd = Math.floor(((cellRow + 1) * height) / rows);
    }
    const row = y * width;
    let j = row * channels;
    for (let c = 0; c < cols; c++) {
      let cellSum = 0;
      for (let i = row + xBounds[c]!, end = row + xBounds[c + 1]!; i < end; i++, j += channels) {
        const v = colour
          ? (54 * data[j]! + 183 * data[j + 1]! + 19 * data[j + 2]! + 128) >> 8
          : data[j]!;
        grey[i] = v;
        cellSum += v;
        if (v >= GLARE_PIXEL_LEVEL) clipped++;
      }
      cells[cellRow * cols + c]! += cellSum;
      sum += cellSum;
    }
    // The Laplacian of row y-1 (interior rows only), now that row y exists.
    if (y >= 2) {
      const above = row - width;
      let rowLapSum = 0;
      let rowLapSq = 0;
      for (let i = above + 1, end = above + width - 1; i < end; i++) {
        const lap =
          grey[i - 1]! + grey[i + 1]! + grey[i - width]! + grey[i + width]! - 4 * grey[i]!;
        rowLapSum += lap;
        rowLapSq += lap * lap;
      }
      lapSum += rowLapSum;
      lapSq += rowLapSq;
    }
  }
  const n = (width - 2) * (height - 2);
  const lapMean = lapSum / n;
  for (let r = 0; r < rows; r++) {
    const cellHeight = Math.floor(((r + 1) * height) / rows) - Math.floor((r * height) / rows);
    for (let c = 0; c < cols; c++) {
      cells[r * cols + c]! /= cellHeight * (xBounds[c + 1]! - xBounds[c]!);
    }
  }
  return {
    scores: {
      brightness: sum / grey.length,
      blur: lapSq / n - lapMean * lapMean,
      glare: clipped / grey.length,
    },
    phash: hashCells(cells, cols, rows),
  };
}

/** Number of differing bits between two 64-bit hex hashes. */
export function hammingDistance(a: string, b: string): number {
  if (!/^[0-9a-f]{16}$/i.test(a) || !/^[0-9a-f]{16}$/i.test(b)) {
    throw new RangeError("hammingDistance: expected two 16-digit hex hashes");
  }
  let x = BigInt(`0x${a}`) ^ BigInt(`0x${b}`);
  let bits = 0;
  while (x) {
    bits += Number(x & 1n);
    x >>= 1n;
  }
  return bits;
}
