/**
 * Photo quality pre-checks the trader's browser runs before uploading (the server records its
 * own scores after the upload): resolution, brightness, blur and glare, computed on RGBA pixels
 * of the photo scaled to a fixed width. Pure, so it runs the same in the browser and in tests.
 *
 * Blur is the variance of the Laplacian of the grey image: sharp edges (text, card borders)
 * give a high variance, a blurred photo a low one. Scaling to a fixed width first makes the
 * score comparable between a 12 MP photo and a 2 MP one.
 */
export const ANALYSIS_WIDTH = 640;
export const MIN_LONG_EDGE = 1000;
export const MIN_SHORT_EDGE = 600;
export const MIN_BRIGHTNESS = 60;
export const MIN_SHARPNESS = 60;
export const MAX_GLARE = 0.12;

export type QualityIssue = "too_small" | "too_dark" | "blurry" | "glare";
export type QualityScores = {
  width: number;
  height: number;
  /** Mean luminance, 0–255. */
  brightness: number;
  /** Variance of the Laplacian at ANALYSIS_WIDTH. */
  sharpness: number;
  /** Share of pixels that are blown out (near white). */
  glare: number;
};

export function greyscale(rgba: ArrayLike<number>, width: number, height: number): Float32Array {
  const grey = new Float32Array(width * height);
  for (let i = 0, p = 0; i < grey.length; i++, p += 4)
    grey[i] = 0.299 * (rgba[p] ?? 0) + 0.587 * (rgba[p + 1] ?? 0) + 0.114 * (rgba[p + 2] ?? 0);
  return grey;
}

export function laplacianVariance(grey: Float32Array, width: number, height: number): number {
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const v =
        (grey[i - width] ?? 0) +
        (grey[i + width] ?? 0) +
        (grey[i - 1] ?? 0) +
        (grey[i + 1] ?? 0) -
        4 * (grey[i] ?? 0);
      sum += v;
      sumSq += v * v;
      n++;
    }
  }
  if (n === 0) return 0;
  const mean = sum / n;
  return sumSq / n - mean * mean;
}

/**
 * Scores for pixels already scaled to about ANALYSIS_WIDTH wide; `original` is the size of the
 * photo as taken (what resolution is judged on).
 */
export function scorePixels(
  rgba: ArrayLike<number>,
  width: number,
  height: number,
  original: { width: number; height: number },
): QualityScores {
  const grey = greyscale(rgba, width, height);
  let total = 0;
  let blown = 0;
  for (const v of grey) {
    total += v;
    if (v >= 250) blown++;
  }
  return {
    width: original.width,
    height: original.height,
    brightness: grey.length ? total / grey.length : 0,
    sharpness: laplacianVariance(grey, width, height),
    glare: grey.length ? blown / grey.length : 0,
  };
}

export function qualityIssues(scores: QualityScores): QualityIssue[] {
  const issues: QualityIssue[] = [];
  const long = Math.max(scores.width, scores.height);
  const short = Math.min(scores.width, scores.height);
  if (long < MIN_LONG_EDGE || short < MIN_SHORT_EDGE) issues.push("too_small");
  if (scores.brightness < MIN_BRIGHTNESS) issues.push("too_dark");
  else if (scores.sharpness < MIN_SHARPNESS) issues.push("blurry");
  if (scores.glare > MAX_GLARE) issues.push("glare");
  return issues;
}

/** Size to draw a photo at so its long edge is at most `maxEdge` (never upscaled). */
export function fitWithin(
  width: number,
  height: number,
  maxEdge: number,
): { width: number; height: number } {
  const scale = Math.min(1, maxEdge / Math.max(width, height));
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}
