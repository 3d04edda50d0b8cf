/**
 * The selfie's server-side checks that need no face recognition: the attempt's prompts, and
 * whether two frames are the same picture.
 *
 * What this proves and what it does not: a frame that repeats another (one photo uploaded for
 * every prompt, a still image held in front of the camera) is refused; frames that differ were
 * at least taken at different moments, each while the screen showed its prompt. Whether the face
 * turned or blinked as asked, and whether it is the face on the identity document, is for the
 * reviewer, who sees each frame beside the prompt it answers and the document (or for a vendor's
 * face match, docs/vendors.md).
 */
import { randomInt } from "node:crypto";
import sharp from "sharp";
import { decodeOptions, MAX_INPUT_PIXELS, SHARP_TIMEOUT_SECONDS } from "./image-check";
import { SELFIE_PROMPTS, type SelfiePrompt } from "./upload-contract";

/** How long an attempt may be used: the prompts are followed in well under a minute. */
export const SELFIE_CHALLENGE_TTL_SECONDS = 600;

/** The prompts of a new attempt: every prompt once, in an order drawn by the server. */
export function drawPrompts(draw: (max: number) => number = randomInt): SelfiePrompt[] {
  const prompts = [...SELFIE_PROMPTS];
  // Fisher–Yates: each order equally likely.
  for (let i = prompts.length - 1; i > 0; i--) {
    const j = draw(i + 1);
    [prompts[i], prompts[j]] = [prompts[j] as SelfiePrompt, prompts[i] as SelfiePrompt];
  }
  return prompts;
}

/** The side a frame is uploaded as for the prompt at `index` (0-based), and back. */
export const frameSide = (index: number) => `frame_${index + 1}`;
export function frameIndex(side: string): number {
  const m = /^frame_([1-9])$/.exec(side);
  return m ? Number(m[1]) - 1 : -1;
}

/**
 * A small greyscale rendering of a frame: enough to tell two pictures apart. Not the 64-bit dHash
 * the duplicate check uses: two live frames of one face in one room often share it (it is built
 * to survive small changes), while a replayed photo differs from itself by nothing at all.
 */
export type FrameSignature = { thumb: Uint8Array };

const THUMB = 32;

export async function frameSignature(jpeg: Buffer): Promise<FrameSignature> {
  const { data, info } = await sharp(jpeg, decodeOptions(MAX_INPUT_PIXELS))
    .greyscale()
    .resize(THUMB, THUMB, { fit: "fill" })
    .timeout({ seconds: SHARP_TIMEOUT_SECONDS })
    .raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true });
  const thumb = new Uint8Array(data.buffer, data.byteOffset, info.width * info.height);
  return { thumb };
}

/**
 * Mean grey-level difference below which two thumbnails are one picture. The same photo uploaded
 * twice, or re-encoded at another quality, stays well under 1; two frames of a live camera differ
 * by sensor noise and movement alone by more (measured in tests/lib/documents/selfie-frames.test.ts).
 */
export const SAME_FRAME_MAX_MEAN_DIFFERENCE = 1.5;

export function frameDifference(a: FrameSignature, b: FrameSignature): number {
  let sum = 0;
  for (let i = 0; i < a.thumb.length; i++) sum += Math.abs((a.thumb[i] ?? 0) - (b.thumb[i] ?? 0));
  return sum / Math.max(1, a.thumb.length);
}

export function sameFrame(a: FrameSignature, b: FrameSignature): boolean {
  return frameDifference(a, b) < SAME_FRAME_MAX_MEAN_DIFFERENCE;
}
