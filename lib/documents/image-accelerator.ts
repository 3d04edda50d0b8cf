/**
 * The document check's one-decode path for JPEG photos: native/kyc-image, a small Node-API addon
 * against the libvips sharp ships (why and how: its source's header, and the README's
 * "Document check" section). It re-encodes a JPEG exactly as sharp would (byte-identical output)
 * and box-averages the quality raster from the same decode, where the sharp path decodes twice.
 *
 * `IMAGE_ACCELERATOR` (lib/env.ts) decides: `auto` (default) uses the addon when it was built for
 * this sharp's libvips and loads, else the sharp path; `off` never; `required` refuses to check
 * without it (CI and the Docker image, so a silent fallback cannot hide a broken build).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { log } from "@/lib/log";
import type { Raster } from "./box-raster";

export type AcceleratorMode = "auto" | "off" | "required";

export type AcceleratedReencode = {
  jpeg: Buffer;
  width: number;
  height: number;
  /** Step 1 of box-raster.ts; null when the pipeline did not deliver every row once. */
  raster: Raster | null;
};

export type ImageAccelerator = {
  /**
   * Decode, auto-orient, convert to sRGB and re-encode one JPEG with sharp's settings, and the box
   * average with this factor. Rejects with `code` "NOT_ELIGIBLE" (not an 8-bit RGB JPEG within
   * maxLongEdge: use the sharp path), "DECODE" (libvips's message: the file is refused) or
   * "NO_MEMORY".
   */
  reencodeJpeg(
    jpeg: Buffer,
    options: { maxPixels: number; quality: number; maxLongEdge: number; boxFactor: number },
  ): Promise<AcceleratedReencode>;
  libvipsVersion: string;
};

/** Where scripts/native-build.mjs writes the addon, from the app's working directory. */
export function acceleratorPath(): string {
  return path.resolve(process.cwd(), "native/build/kyc_image.node");
}

const cache = new Map<string, ImageAccelerator | null>();

/**
 * The addon, or null with the reason logged once. Loaded with process.dlopen at run time, so no
 * bundler tries to follow it; sharp is imported first, so its libvips is the one the addon binds to.
 */
export function loadImageAccelerator(
  mode: AcceleratorMode,
  file = acceleratorPath(),
): ImageAccelerator | null {
  if (mode === "off") return null;
  const key = `${mode}:${file}`;
  if (cache.has(key)) return cache.get(key)!;
  let accelerator: ImageAccelerator | null = null;
  let reason = "";
  const stamp = file.replace(/\.node$/, ".json");
  if (!existsSync(file) || !existsSync(stamp)) {
    reason = "not built (npm run build:native)";
  } else {
    const built = JSON.parse(readFileSync(stamp, "utf8")) as { libvips?: string };
    if (built.libvips !== sharp.versions.vips) {
      reason = `built for libvips ${built.libvips}, sharp has ${sharp.versions.vips}: rebuild`;
    } else {
      try {
        const addon = { exports: {} as ImageAccelerator };
        process.dlopen(addon, file);
        accelerator = addon.exports;
      } catch (error) {
        reason = `failed to load: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
  }
  if (!accelerator) {
    if (mode === "required") {
      throw new Error(`IMAGE_ACCELERATOR=required but ${path.basename(file)} is ${reason}`);
    }
    log.info("documents.accelerator_unavailable", { reason });
  } else {
    log.info("documents.accelerator_loaded", { libvips: accelerator.libvipsVersion, mode });
  }
  cache.set(key, accelerator);
  return accelerator;
}
