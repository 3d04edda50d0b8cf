/**
 * In the browser: turn a picked or captured photo into what we upload — decoded, checked for
 * quality, scaled to at most 2000 px on its long edge and re-encoded as JPEG (quality 0.85), so
 * a 12 MP phone photo leaves the phone at well under 1 MB. PDFs and images the browser cannot
 * decode (e.g. HEIC outside Safari) go up as they are; the server decides (and converts HEIC).
 *
 * Loaded only on the upload screen, only once a file is chosen.
 */
import {
  luminance,
  qualityVerdict,
  SCORE_LONG_EDGE,
  scoreRaster,
  type QualityIssue,
  type QualityScores,
} from "./quality";

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

/**
 * The content type to declare for a file going up as it is. Chromium knows no type for .heic
 * unless the operating system does (Windows without Microsoft's HEIF extension reports ""), and
 * the server refuses an upload declared as application/octet-stream: name the HEIF types by
 * extension; the server checks the bytes in any case.
 */
export function declaredContentType(file: { type: string; name: string }): string {
  const type = file.type.trim().toLowerCase();
  if (type && type !== "application/octet-stream") return type;
  const extension = /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase();
  if (extension === "heic") return "image/heic";
  if (extension === "heif" || extension === "hif") return "image/heif";
  return "application/octet-stream";
}

export const MAX_EDGE = 2000;
export const JPEG_QUALITY = 0.85;

export type PreparedFile = {
  blob: Blob;
  contentType: string;
  name: string;
  /** An object URL for the preview (images only). */
  previewUrl: string | null;
  scores: QualityScores | null;
  issues: QualityIssue[];
};

function canvas(width: number, height: number): HTMLCanvasElement {
  const c = document.createElement("canvas");
  c.width = width;
  c.height = height;
  return c;
}

/**
 * A canvas is transparent black until drawn on, and JPEG has no alpha: a PNG with a transparent
 * background (a page exported from a PDF viewer) would score and encode as black. Paper is
 * white, so transparency is flattened onto white, as the server does (image-check.ts).
 */
const FLATTEN_BACKGROUND = "#ffffff";

function drawOnWhite(
  ctx: CanvasRenderingContext2D,
  image: CanvasImageSource,
  width: number,
  height: number,
): void {
  ctx.fillStyle = FLATTEN_BACKGROUND;
  ctx.fillRect(0, 0, width, height);
  ctx.drawImage(image, 0, 0, width, height);
}

function toBlob(c: HTMLCanvasElement, type: string, quality: number): Promise<Blob> {
  return new Promise((resolve, reject) =>
    c.toBlob((b) => (b ? resolve(b) : reject(new Error("encode failed"))), type, quality),
  );
}

export async function prepareFile(file: File): Promise<PreparedFile> {
  if (file.type === "application/pdf" || file.name.toLowerCase().endsWith(".pdf")) {
    return {
      // Under the type the form declares (the local upload route compares them): a browser may
      // name a PDF's type "" or application/octet-stream. slice() keeps the bytes, uncopied.
      blob: file.type === "application/pdf" ? file : file.slice(0, file.size, "application/pdf"),
      contentType: "application/pdf",
      name: file.name,
      previewUrl: null,
      scores: null,
      issues: [],
    };
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    // Not decodable here (HEIC in Chromium, say): send the original as is; the server checks
    // it and converts a HEIC itself (lib/documents/heif-decode.ts). No preview, no scores. The
    // part must carry the declared type (the local upload route compares them): slice() gives
    // the same bytes under that type, without a copy.
    const contentType = declaredContentType(file);
    return {
      blob: file.type === contentType ? file : file.slice(0, file.size, contentType),
      contentType,
      name: file.name,
      previewUrl: null,
      scores: null,
      issues: [],
    };
  }
  const original = { width: bitmap.width, height: bitmap.height };

  // Scored exactly as the server scores it (lib/documents/quality.ts), at the same size.
  const small = fitWithin(original.width, original.height, SCORE_LONG_EDGE);
  const analysis = canvas(small.width, small.height);
  const actx = analysis.getContext("2d", { willReadFrequently: true });
  let scores: QualityScores | null = null;
  if (actx) {
    drawOnWhite(actx, bitmap, small.width, small.height);
    const pixels = actx.getImageData(0, 0, small.width, small.height);
    const grey = luminance(new Uint8Array(pixels.data.buffer), small.width, small.height, 4);
    scores = { ...original, ...scoreRaster(grey) };
  }

  const target = fitWithin(original.width, original.height, MAX_EDGE);
  const out = canvas(target.width, target.height);
  const ctx = out.getContext("2d");
  if (!ctx) throw new Error("no canvas");
  ctx.imageSmoothingQuality = "high";
  drawOnWhite(ctx, bitmap, target.width, target.height);
  bitmap.close();
  const blob = await toBlob(out, "image/jpeg", JPEG_QUALITY);
  const name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
  return {
    blob,
    contentType: "image/jpeg",
    name,
    previewUrl: URL.createObjectURL(blob),
    scores,
    issues: scores ? qualityVerdict(scores) : [],
  };
}

/** A frame from the live camera as a File, for the same path as a picked photo. */
export async function captureFrame(video: HTMLVideoElement): Promise<File> {
  const c = canvas(video.videoWidth, video.videoHeight);
  const ctx = c.getContext("2d");
  if (!ctx) throw new Error("no canvas");
  ctx.drawImage(video, 0, 0);
  const blob = await toBlob(c, "image/jpeg", 0.92);
  return new File([blob], "camera.jpg", { type: "image/jpeg" });
}

/**
 * A selfie prompt's burst (upload-contract.ts): `frames` pictures from the live camera,
 * `intervalMs` apart, scaled to at most `maxEdge` px and drawn side by side, left to right in
 * the order taken, into one JPEG. Null when the camera stopped giving pictures.
 */
export async function captureBurst(
  video: HTMLVideoElement,
  burst: { frames: number; intervalMs: number; maxEdge: number },
): Promise<{ file: File; width: number; height: number } | null> {
  const { width, height } = fitWithin(video.videoWidth, video.videoHeight, burst.maxEdge);
  if (video.videoWidth === 0) return null;
  const strip = canvas(width * burst.frames, height);
  const ctx = strip.getContext("2d");
  if (!ctx) throw new Error("no canvas");
  for (let i = 0; i < burst.frames; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, burst.intervalMs));
    ctx.drawImage(video, i * width, 0, width, height);
  }
  const blob = await toBlob(strip, "image/jpeg", 0.9);
  const file = new File([blob], "selfie-burst.jpg", { type: "image/jpeg" });
  return { file, width: strip.width, height: strip.height };
}

/**
 * Uploads with progress (fetch has no upload progress): a multipart POST of the presigned
 * fields then the file. Resolves on 2xx; rejects with the status (0 = network) otherwise.
 */
export function postWithProgress(
  url: string,
  fields: Record<string, string>,
  file: Blob,
  name: string,
  onProgress: (fraction: number) => void,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const body = new FormData();
    for (const [k, v] of Object.entries(fields)) body.append(k, v);
    body.append("file", file, name);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () =>
      xhr.status >= 200 && xhr.status < 300
        ? resolve()
        : reject(
            Object.assign(new Error("upload failed"), {
              status: xhr.status,
              body: xhr.responseText,
            }),
          );
    xhr.onerror = () => reject(Object.assign(new Error("network"), { status: 0 }));
    xhr.onabort = () => reject(Object.assign(new Error("aborted"), { status: -1 }));
    signal.addEventListener("abort", () => xhr.abort());
    xhr.open("POST", url);
    xhr.send(body);
  });
}
