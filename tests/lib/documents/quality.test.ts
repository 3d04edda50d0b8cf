import fc from "fast-check";
import {
  BLUR_MIN_VARIANCE,
  DARK_MAX_BRIGHTNESS,
  GLARE_MAX_FRACTION,
  differenceHash,
  hammingDistance,
  luminance,
  qualityVerdict,
  scoreColourRaster,
  scoreRaster,
  type QualityScores,
} from "@/lib/documents/quality";

const raster = (width: number, height: number, pixel: (x: number, y: number) => number) => {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data[y * width + x] = pixel(x, y);
  return { data, width, height };
};

const good: QualityScores = { width: 2000, height: 1400, brightness: 180, blur: 3000, glare: 0 };

describe("scoreRaster", () => {
  it("gives a flat grey image zero blur, its own brightness and no glare", () => {
    expect(scoreRaster(raster(50, 40, () => 120))).toEqual({ brightness: 120, blur: 0, glare: 0 });
  });

  it("scores a checkerboard far sharper than a gentle gradient", () => {
    const checker = scoreRaster(raster(50, 40, (x, y) => ((x + y) % 2 ? 255 : 0)));
    const gradient = scoreRaster(raster(50, 40, (x) => x * 5));
    expect(checker.blur).toBeGreaterThan(100 * BLUR_MIN_VARIANCE);
    expect(gradient.blur).toBeLessThan(1);
  });

  it("counts blown-out pixels as the glare fraction", () => {
    expect(scoreRaster(raster(10, 10, (x) => (x < 3 ? 255 : 100))).glare).toBeCloseTo(0.3);
  });

  it("refuses a buffer that does not match its stated size", () => {
    expect(() => scoreRaster({ data: new Uint8Array(10), width: 5, height: 5 })).toThrow(
      RangeError,
    );
  });

  it("gives a raster too thin for the Laplacian a blur of 0 instead of failing", () => {
    expect(scoreRaster(raster(5, 2, (x) => (x ? 255 : 0)))).toEqual({
      brightness: 204,
      blur: 0,
      glare: 0.8,
    });
    expect(scoreRaster(raster(1, 1, () => 40))).toEqual({ brightness: 40, blur: 0, glare: 0 });
  });
});

describe("qualityVerdict", () => {
  it("passes good scores and names each problem on its own", () => {
    expect(qualityVerdict(good)).toEqual([]);
    expect(qualityVerdict({ ...good, width: 900, height: 700 })).toEqual(["too_small"]);
    expect(qualityVerdict({ ...good, width: 1600, height: 500 })).toEqual(["too_small"]);
    expect(qualityVerdict({ ...good, blur: BLUR_MIN_VARIANCE - 1 })).toEqual(["blurry"]);
    expect(qualityVerdict({ ...good, brightness: DARK_MAX_BRIGHTNESS - 1 })).toEqual(["too_dark"]);
    expect(qualityVerdict({ ...good, glare: GLARE_MAX_FRACTION + 0.01 })).toEqual(["glare"]);
  });
});

describe("differenceHash and hammingDistance", () => {
  it("hashes a left-bright gradient to all ones and a right-bright one to all zeros", () => {
    expect(differenceHash(raster(90, 80, (x) => 255 - x))).toBe("ffffffffffffffff");
    expect(differenceHash(raster(90, 80, (x) => x))).toBe("0000000000000000");
  });

  it("counts differing bits, symmetrically", () => {
    expect(hammingDistance("0000000000000000", "ffffffffffffffff")).toBe(64);
    expect(hammingDistance("00000000000000f0", "0000000000000001")).toBe(5);
    expect(hammingDistance("0000000000000001", "00000000000000f0")).toBe(5);
  });

  it("refuses anything but two 16-digit hex hashes", () => {
    expect(() => hammingDistance("abc", "0000000000000000")).toThrow(RangeError);
  });
});

describe("scoreColourRaster", () => {
  const separate = (data: Uint8Array, width: number, height: number, channels: number) => {
    const grey = luminance(data, width, height, channels);
    return { scores: scoreRaster(grey), phash: differenceHash(grey) };
  };

  it("gives exactly the scores and hash of luminance + scoreRaster + differenceHash", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer(),
        (width, height, channels, seed) => {
          // Noise plus structure, so every score and hash bit varies between cases.
          let state = seed >>> 0;
          const data = new Uint8Array(width * height * channels);
          for (let i = 0; i < data.length; i++) {
            state = (state * 1664525 + 1013904223) >>> 0;
            data[i] = (state >>> 24) % 2 ? state >>> 24 : (i * 7) % 256;
          }
          expect(scoreColourRaster(data, width, height, channels)).toEqual(
            separate(data, width, height, channels),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("agrees on a photo-sized raster, where the sums are large", () => {
    const width = 1000;
    const height = 750;
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
    expect(scoreColourRaster(data, width, height, 3)).toEqual(separate(data, width, height, 3));
  });

  it("refuses a buffer that does not match its stated size", () => {
    expect(() => scoreColourRaster(new Uint8Array(100), 10, 10, 3)).toThrow(RangeError);
  });
});
