import sharp from "sharp";
import {
  drawPrompts,
  frameDifference,
  frameIndex,
  frameSide,
  frameSignature,
  sameFrame,
} from "@/lib/documents/selfie-frames";
import {
  SELFIE_BURST_FRAME_MAX_EDGE,
  SELFIE_BURST_FRAMES,
  SELFIE_FRAMES,
  SELFIE_PROMPTS,
  selfieBurstImage,
} from "@/lib/documents/upload-contract";
import { burst, portrait } from "../../fixtures/selfie/portrait";

describe("selfie prompts", () => {
  it("draws every prompt once per attempt", () => {
    for (let i = 0; i < 20; i++)
      expect([...drawPrompts()].sort()).toEqual([...SELFIE_PROMPTS].sort());
  });

  it("can draw every order, so a recording made for one attempt does not fit the next", () => {
    // 300 draws miss one of the 6 orders with a probability of about 10^-23.
    const orders = new Set<string>();
    for (let run = 0; run < 300; run++) orders.add(drawPrompts().join(","));
    expect(orders.size).toBe(6);
  });

  it("ties frame sides to prompt positions", () => {
    expect(SELFIE_FRAMES.map((_, i) => frameSide(i))).toEqual([...SELFIE_FRAMES]);
    expect(frameIndex("frame_3")).toBe(2);
    expect(frameIndex("page")).toBe(-1);
  });
});

describe("frames are distinct pictures", () => {
  it("finds the same photo uploaded again, even re-encoded at another quality", async () => {
    const photo = await portrait(320, 1);
    const again = await sharp(photo).jpeg({ quality: 70 }).toBuffer();
    const a = await frameSignature(photo);
    expect(sameFrame(a, await frameSignature(photo))).toBe(true);
    expect(sameFrame(a, await frameSignature(again))).toBe(true);
  });

  it("tells apart two frames of a live capture where the head turned", async () => {
    const left = await frameSignature(await portrait(250, 1));
    const right = await frameSignature(await portrait(390, 2));
    expect(frameDifference(left, right)).toBeGreaterThan(5);
    expect(sameFrame(left, right)).toBe(false);
  });
});

describe("a prompt's burst", () => {
  const frames = SELFIE_BURST_FRAMES;
  const ok = (width: number, height: number) =>
    selfieBurstImage.safeParse({ width, height }).success;

  it("takes camera frames side by side, landscape or portrait, up to the frame size limit", () => {
    expect(ok(640 * frames, 480)).toBe(true);
    expect(ok(540 * frames, 960)).toBe(true);
    expect(ok(SELFIE_BURST_FRAME_MAX_EDGE * frames, 540)).toBe(true);
  });

  it("refuses one photo, frames too large, uneven widths and shapes no camera gives", () => {
    expect(ok(640, 480)).toBe(false);
    expect(ok((SELFIE_BURST_FRAME_MAX_EDGE + 1) * frames, 540)).toBe(false);
    expect(ok(640 * frames + 1, 480)).toBe(false);
    expect(ok(200 * frames, 500)).toBe(false);
    expect(ok(0, 0)).toBe(false);
  });

  it("tells two prompts' bursts apart, and finds one burst uploaded for two prompts", async () => {
    const first = await burst(250, 1);
    expect(sameFrame(await frameSignature(first), await frameSignature(await burst(390, 2)))).toBe(
      false,
    );
    const again = await sharp(first).jpeg({ quality: 70 }).toBuffer();
    expect(sameFrame(await frameSignature(first), await frameSignature(again))).toBe(true);
  });
});
