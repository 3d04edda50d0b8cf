import sharp, { type Sharp } from "sharp";
import {
  ANALYSIS_WIDTH,
  fitWithin,
  qualityIssues,
  scorePixels,
} from "@/lib/documents/image-quality";

/** A document-like photo: a light card with dark "text" strokes, deterministic. */
function documentSvg(width: number, height: number): Buffer {
  let seed = 7;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const lines: string[] = [];
  for (let y = 80; y < height - 60; y += 38) {
    for (let x = 60; x < width - 120;) {
      const w = 12 + Math.floor(rnd() * 70);
      lines.push(`<rect x="${x}" y="${y}" width="${w}" height="16" fill="#222"/>`);
      x += w + 10 + Math.floor(rnd() * 14);
    }
  }
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<rect width="100%" height="100%" fill="#d8d4cc"/>` +
      `<rect x="30" y="30" width="${width - 60}" height="${height - 60}" rx="24" fill="#f4f1ea"/>` +
      lines.join("") +
      `</svg>`,
  );
}

async function scores(image: Sharp, original: { width: number; height: number }) {
  const { data, info } = await image
    .resize({ width: ANALYSIS_WIDTH })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return scorePixels(data, info.width, info.height, original);
}

const SIZE = { width: 1600, height: 1000 };
const base = () => sharp(documentSvg(SIZE.width, SIZE.height)).png();

describe("photo quality pre-checks", () => {
  it("passes a sharp, well-lit document photo", async () => {
    const s = await scores(sharp(await base().toBuffer()), SIZE);
    expect(qualityIssues(s)).toEqual([]);
  });

  it("flags a blurred photo as blurry", async () => {
    const blurred = sharp(await base().toBuffer()).blur(10);
    const s = await scores(sharp(await blurred.png().toBuffer()), SIZE);
    expect(qualityIssues(s)).toEqual(["blurry"]);
  });

  it("flags a dark photo as too dark (not also as blurry)", async () => {
    const dark = sharp(await base().toBuffer()).linear(0.18, 0);
    const s = await scores(sharp(await dark.png().toBuffer()), SIZE);
    expect(qualityIssues(s)).toEqual(["too_dark"]);
  });

  it("flags glare when a bright reflection covers part of the document", async () => {
    const glare = Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE.width}" height="${SIZE.height}"><ellipse cx="800" cy="500" rx="420" ry="260" fill="#fff"/></svg>`,
    );
    const img = sharp(await base().toBuffer()).composite([{ input: glare }]);
    const s = await scores(sharp(await img.png().toBuffer()), SIZE);
    expect(qualityIssues(s)).toContain("glare");
  });

  it("flags a photo too small to read", async () => {
    const small = { width: 640, height: 400 };
    const s = await scores(sharp(await base().resize(small).png().toBuffer()), small);
    expect(qualityIssues(s)).toContain("too_small");
  });

  it("fits a 12 MP photo within 2000 px on its long edge and never upscales", () => {
    expect(fitWithin(4000, 3000, 2000)).toEqual({ width: 2000, height: 1500 });
    expect(fitWithin(3000, 4000, 2000)).toEqual({ width: 1500, height: 2000 });
    expect(fitWithin(800, 600, 2000)).toEqual({ width: 800, height: 600 });
  });
});
