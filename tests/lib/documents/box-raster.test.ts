import fc from "fast-check";
import { boxAverage, boxGeometry, fitRaster } from "@/lib/documents/box-raster";
import { SCORE_LONG_EDGE } from "@/lib/documents/quality";

/** The definition, written the slow and obvious way: every block's pixels, summed and rounded. */
function naiveBox(data: Uint8Array, width: number, height: number, channels: number, f: number) {
  const w = Math.ceil(width / f);
  const h = Math.ceil(height / f);
  const out = new Uint8Array(w * h * channels);
  for (let by = 0; by < h; by++)
    for (let bx = 0; bx < w; bx++)
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        let n = 0;
        for (let y = by * f; y < Math.min(height, (by + 1) * f); y++)
          for (let x = bx * f; x < Math.min(width, (bx + 1) * f); x++) {
            sum += data[(y * width + x) * channels + c]!;
            n++;
          }
        // The rounded mean, halves rounded up.
        out[(by * w + bx) * channels + c] = Math.floor(sum / n + 0.5);
      }
  return { data: out, width: w, height: h };
}

describe("the quality raster's box average", () => {
  it("picks the largest whole factor that keeps the long edge at SCORE_LONG_EDGE or more", () => {
    expect(boxGeometry(800, 600)).toEqual({ factor: 1, width: 800, height: 600 });
    expect(boxGeometry(1999, 1000)).toEqual({ factor: 1, width: 1999, height: 1000 });
    expect(boxGeometry(2000, 1500)).toEqual({ factor: 2, width: 1000, height: 750 });
    expect(boxGeometry(3024, 4032)).toEqual({ factor: 4, width: 756, height: 1008 });
    expect(boxGeometry(4000, 3)).toEqual({ factor: 4, width: 1000, height: 1 });
    expect(SCORE_LONG_EDGE).toBe(1000);
  });

  it("averages whole blocks with rounding and keeps the narrower edge blocks", async () => {
    // 5×3 grey, factor 2: blocks of 4, 4, 2 (right edge), 2, 2, 1 (bottom row, corner).
    const data = Uint8Array.from([0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 100, 101, 102, 103, 255]);
    const out = await boxAverage({ data, width: 5, height: 3, channels: 1 }, 2);
    expect(out).toMatchObject({ width: 3, height: 2, channels: 1 });
    // (0+1+10+11)/4 = 5.5 → 6; (2+3+12+13)/4 = 7.5 → 8; (4+14)/2 = 9; (100+101)/2 = 100.5 → 101
    expect([...out.data]).toEqual([6, 8, 9, 101, 103, 255]);
  });

  it("matches the block-by-block definition for any size, channel count and factor", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 23 }),
        fc.integer({ min: 1, max: 17 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        async (width, height, channels, factor, seed) => {
          let s = seed;
          const data = Uint8Array.from({ length: width * height * channels }, () => {
            s = (s * 1103515245 + 12345) % 2 ** 31;
            return s % 256;
          });
          const out = await boxAverage({ data, width, height, channels }, factor);
          const expected = naiveBox(data, width, height, channels, factor);
          expect(out.width).toBe(expected.width);
          expect(out.height).toBe(expected.height);
          expect(Buffer.from(out.data).equals(Buffer.from(expected.data))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses a buffer that does not hold the stated pixels", async () => {
    await expect(
      boxAverage({ data: new Uint8Array(10), width: 2, height: 2, channels: 3 }, 2),
    ).rejects.toThrow(RangeError);
  });

  it("lets the server answer meanwhile: a 12 MP average yields to the event loop", async () => {
    const width = 4000;
    const height = 3000;
    const image = { data: new Uint8Array(width * height * 3), width, height, channels: 3 };
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    try {
      const out = await boxAverage(image, 4);
      expect([out.width, out.height]).toEqual([1000, 750]);
    } finally {
      clearInterval(timer);
    }
    // 3000 rows in slices of 256: at least a few turns of the event loop ran timers in between.
    expect(ticks).toBeGreaterThanOrEqual(3);
  });

  it("fits a raster longer than SCORE_LONG_EDGE and leaves a shorter one alone", async () => {
    const long = {
      data: new Uint8Array(1500 * 900 * 3).fill(90),
      width: 1500,
      height: 900,
      channels: 3,
    };
    const fitted = await fitRaster(long);
    expect([fitted.width, fitted.height, fitted.channels]).toEqual([1000, 600, 3]);
    expect(fitted.data.every((v) => v === 90)).toBe(true);
    const short = { ...long, width: 1000, height: 700, data: new Uint8Array(1000 * 700 * 3) };
    expect((await fitRaster(short)) === short).toBe(true);
  });
});
