/**
 * HEVC-coded HEIC (what an iPhone writes) decoded to pixels with libheif-js: libheif and
 * libde265 compiled to WebAssembly (LGPL-3.0, used unmodified from npm). sharp's prebuilt libvips
 * reads HEIF headers but decodes only AV1 (HEVC is patent-encumbered, so it ships no HEVC
 * decoder); image-check.ts sends a HEIC here only when sharp cannot decode it, and feeds the
 * pixels to the same sharp pipeline as every other image.
 *
 * - Loaded on demand (dynamic import) and instantiated per file: nothing pays for it until a
 *   HEIC arrives, and the WebAssembly memory a decode grew (≈100 MB for 12 MP) goes to the
 *   garbage collector with the instance instead of staying with the process; a damaged file
 *   cannot leave state behind for the next one. Instantiating costs 10–50 ms.
 * - Guards: the primary image's size (after irot/clap, from the header) is checked against the
 *   pixel limit before a pixel is decoded; libheif itself refuses a stream whose decoded size
 *   differs from its `ispe` property, so a small header cannot hide a large picture.
 * - Only the primary image is decoded (a burst or Live Photo holds several).
 * - libheif applies the HEIF transformations (irot, imir, clap) as iOS displays them; the EXIF
 *   orientation inside a HEIC is informative only and not applied a second time.
 * - The decode is synchronous WebAssembly (≈0.9 s for a 12 MP photo on this project's 2-core
 *   reference machine), so it runs in a worker thread: the server keeps answering other traders
 *   meanwhile. The worker is an `eval` worker built from `decodeWith` below (self-contained on
 *   purpose: its source is what the worker runs), so no separate file has to survive bundling;
 *   it requires libheif-js from node_modules like the server does. Its heap is capped, it is
 *   terminated after HEIF_DECODE_TIMEOUT_MS (the file is then refused), and its WebAssembly
 *   memory goes with it when it ends. Should a worker not start at all, the decode runs on the
 *   main thread, with a warning in the log.
 *
 * Colour: the pixels are taken as sRGB. An iPhone's Display P3 photo therefore comes out a
 * little less saturated than on the phone — irrelevant for reading a document.
 */
import { errorMessage } from "@/lib/errors";
import { log } from "@/lib/log";
import { runEvalWorker } from "./eval-worker";

export type DecodedHeif =
  | {
      ok: true;
      /** Interleaved 8-bit RGB (channels 3) or RGBA (channels 4), displayed orientation. */
      pixels: Buffer;
      width: number;
      height: number;
      channels: 3 | 4;
    }
  | { ok: false; reason: "corrupt" | "too_many_pixels" | "unsupported_type"; detail: string };

// The part of libheif-js's embind API used here (libheif-wasm/libheif.d.ts has the whole).
type Enum = { value: number };
type HeifError = { code: Enum; subcode: Enum; message: string };
type Handle = object;
type Plane = { id: Enum; width: number; height: number; stride: number; data: Uint8Array };
type DecodedImage = { image: object; channels: Plane[] };
type LibHeif = {
  heif_error_code: { heif_error_Ok: Enum; heif_error_Plugin_loading_error: Enum };
  heif_suberror_code: { heif_suberror_No_matching_decoder_installed: Enum };
  heif_colorspace: { heif_colorspace_RGB: Enum };
  heif_chroma: { heif_chroma_interleaved_RGB: Enum; heif_chroma_interleaved_RGBA: Enum };
  heif_channel: { heif_channel_interleaved: Enum };
  heif_context_alloc(): object;
  heif_context_free(context: object): void;
  heif_context_read_from_memory(context: object, data: Uint8Array): HeifError;
  heif_js_context_get_primary_image_handle(context: object): Handle | HeifError;
  heif_image_handle_get_width(handle: Handle): number;
  heif_image_handle_get_height(handle: Handle): number;
  heif_image_handle_has_alpha_channel(handle: Handle): number;
  heif_image_handle_release(handle: Handle): void;
  heif_js_decode_image2(handle: Handle, colorspace: Enum, chroma: Enum): DecodedImage | HeifError;
  heif_image_release(image: object): void;
};

let factory: Promise<() => LibHeif> | null = null;

/** The wasm bundle: the worker requires the same module by this name. */
const LIBHEIF_MODULE = "libheif-js/libheif-wasm/libheif-bundle.js";

/**
 * The wasm bundle (the .wasm inlined in the .js) rather than libheif-js's default asm.js build:
 * about 2× faster (12 MP: 0.9 s against 2 s), and no separate .wasm file for the server build to locate. It is a
 * serverExternalPackage (next.config.ts), required from node_modules at run time.
 */
function loadFactory(): Promise<() => LibHeif> {
  factory ??= import("libheif-js/libheif-wasm/libheif-bundle.js").then(
    (mod: { default?: unknown }) => (mod.default ?? mod) as () => LibHeif,
  );
  factory.catch(() => {
    factory = null;
  });
  return factory;
}

/**
 * The decode itself, synchronous. Self-contained — no imports, no outer names — because the
 * worker runs its source text (`decodeWith.toString()`); the pixels come back as a plain
 * Uint8Array whose buffer is transferred, not copied.
 */
function decodeWith(lib: LibHeif, input: Uint8Array, maxInputPixels: number): RawHeif {
  const oneLine = (text: string) => text.trim().replace(/\s+/g, " ");
  const corrupt = (detail: string): RawHeif => ({
    ok: false,
    reason: "corrupt",
    detail: `HEIC: ${oneLine(detail)}`,
  });
  const isError = (value: unknown): value is HeifError =>
    typeof value === "object" && value !== null && "code" in value && "message" in value;

  const context = lib.heif_context_alloc();
  let handle: Handle | null = null;
  let image: object | null = null;
  try {
    const read = lib.heif_context_read_from_memory(context, input);
    if (read.code !== lib.heif_error_code.heif_error_Ok) return corrupt(read.message);
    const primary = lib.heif_js_context_get_primary_image_handle(context);
    if (isError(primary)) return corrupt(primary.message);
    handle = primary;

    const width = lib.heif_image_handle_get_width(handle);
    const height = lib.heif_image_handle_get_height(handle);
    if (!(width > 0 && height > 0)) return corrupt("no image dimensions");
    if (width * height > maxInputPixels) {
      return {
        ok: false,
        reason: "too_many_pixels",
        detail: `${width}x${height} exceeds ${maxInputPixels} pixels`,
      };
    }

    const channels = lib.heif_image_handle_has_alpha_channel(handle) ? 4 : 3;
    const decoded = lib.heif_js_decode_image2(
      handle,
      lib.heif_colorspace.heif_colorspace_RGB,
      channels === 4
        ? lib.heif_chroma.heif_chroma_interleaved_RGBA
        : lib.heif_chroma.heif_chroma_interleaved_RGB,
    );
    if (isError(decoded)) {
      // This build has libde265 only; a file branded heic may still hold, say, AV1.
      const noDecoder =
        decoded.code === lib.heif_error_code.heif_error_Plugin_loading_error ||
        decoded.subcode === lib.heif_suberror_code.heif_suberror_No_matching_decoder_installed;
      return noDecoder
        ? { ok: false, reason: "unsupported_type", detail: `HEIC: ${oneLine(decoded.message)}` }
        : corrupt(decoded.message);
    }
    if (!decoded?.image) return corrupt("decoder returned no image");
    image = decoded.image;
    const plane = decoded.channels.find((c) => c.id === lib.heif_channel.heif_channel_interleaved);
    if (!plane || plane.width !== width || plane.height !== height) {
      return corrupt(`decoded plane does not match ${width}x${height}`);
    }

    // The plane is a view into WebAssembly memory: copy it out (dropping row padding) before
    // the image is released.
    const row = width * channels;
    const pixels = new Uint8Array(row * height);
    if (plane.stride === row) pixels.set(plane.data.subarray(0, row * height));
    else
      for (let y = 0; y < height; y++)
        pixels.set(plane.data.subarray(y * plane.stride, y * plane.stride + row), y * row);
    return { ok: true, pixels, width, height, channels };
  } catch (error) {
    // A WebAssembly trap or abort on hostile input ends up here: the instance is discarded.
    return corrupt(errorMessage(error));
  } finally {
    if (image) lib.heif_image_release(image);
    if (handle) lib.heif_image_handle_release(handle);
    lib.heif_context_free(context);
  }
}

type RawHeif =
  | { ok: true; pixels: Uint8Array; width: number; height: number; channels: 3 | 4 }
  | Extract<DecodedHeif, { ok: false }>;

// `__name`: esbuild (tsx) wraps functions it keeps the names of; a no-op here.
const WORKER_SOURCE = `
const __name = (target) => target;
const { parentPort, workerData } = require("node:worker_threads");
const load = require(${JSON.stringify(LIBHEIF_MODULE)});
const decodeWith = ${decodeWith.toString()};
const result = decodeWith((load.default ?? load)(), workerData.input, workerData.maxInputPixels);
parentPort.postMessage(result, result.ok ? [result.pixels.buffer] : []);
`;

/** A decode worker's heap: the input and the pixels live outside it (WebAssembly, transfers). */
const WORKER_HEAP_MB = 128;
/**
 * How long one decode may run before its worker is terminated and the file refused: at the
 * 12 MP rate above, a picture at the 40 MP pixel limit needs about 3 s.
 */
export const HEIF_DECODE_TIMEOUT_MS = 10_000;

/** Resolves with the worker's answer, or null when no worker could be started here. */
async function decodeInWorker(
  input: Uint8Array,
  maxInputPixels: number,
  timeoutMs: number,
): Promise<RawHeif | null> {
  const run = await runEvalWorker<RawHeif>(WORKER_SOURCE, {
    workerData: { input, maxInputPixels },
    timeoutMs,
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
  });
  switch (run.kind) {
    case "answer":
      return run.value;
    case "timeout":
      return { ok: false, reason: "corrupt", detail: "HEIC: decode took too long" };
    case "out_of_memory":
      return { ok: false, reason: "corrupt", detail: "HEIC: decoder out of memory" };
    case "unavailable":
      log.warn("documents.heif_worker_unavailable", { error: run.error });
      return null;
    case "failed":
      // decodeWith answers every decode failure itself: this is the worker's own failure.
      log.warn("documents.heif_worker_failed", { error: run.error });
      return { ok: false, reason: "corrupt", detail: "HEIC: decoder failed" };
  }
}

async function decodeInProcess(input: Uint8Array, maxInputPixels: number): Promise<RawHeif> {
  let lib: LibHeif;
  try {
    lib = (await loadFactory())();
  } catch (error) {
    return {
      ok: false,
      reason: "unsupported_type",
      detail: `HEIC decoder unavailable: ${errorMessage(error)}`,
    };
  }
  return decodeWith(lib, input, maxInputPixels);
}

/**
 * Decode the primary image of a HEIF file; never throws. `unsupported_type`: libheif-js cannot
 * be loaded or has no decoder for the file's codec (it has HEVC only).
 */
export async function decodeHeif(
  input: Uint8Array,
  options: { maxInputPixels: number; inProcess?: boolean; timeoutMs?: number },
): Promise<DecodedHeif> {
  const timeoutMs = options.timeoutMs ?? HEIF_DECODE_TIMEOUT_MS;
  const result =
    (options.inProcess ? null : await decodeInWorker(input, options.maxInputPixels, timeoutMs)) ??
    (await decodeInProcess(input, options.maxInputPixels));
  if (!result.ok) return result;
  const { pixels, ...rest } = result;
  return {
    ...rest,
    ok: true,
    pixels: Buffer.from(pixels.buffer, pixels.byteOffset, pixels.length),
  };
}
