import diagnostics from "node:diagnostics_channel";
import type { Worker } from "node:worker_threads";
import { decodeHeif } from "@/lib/documents/heif-decode";
import { MAX_INPUT_PIXELS } from "@/lib/documents/image-check";
import * as fx from "@/tests/fixtures/documents/make-fixtures";

const limits = { maxInputPixels: MAX_INPUT_PIXELS };

describe("decodeHeif (libheif-js)", () => {
  it("decodes the primary image to RGB pixels in display orientation", async () => {
    for (const name of ["upright", "rotated", "burst"] as const) {
      const result = await decodeHeif(fx.heicFixture(name), limits);
      if (!result.ok) throw new Error(`${name}: ${result.detail}`);
      expect([result.width, result.height, result.channels]).toEqual([1200, 840, 3]);
      expect(result.pixels.length).toBe(1200 * 840 * 3);
    }
  });

  it("decodes in a worker thread with the same pixels as on the main thread", async () => {
    for (const name of ["upright", "rotated", "burst", "transparent"] as const) {
      const inWorker = await decodeHeif(fx.heicFixture(name), limits);
      const inProcess = await decodeHeif(fx.heicFixture(name), { ...limits, inProcess: true });
      if (!inWorker.ok || !inProcess.ok) throw new Error(`${name} did not decode`);
      expect(Buffer.compare(inWorker.pixels, inProcess.pixels)).toBe(0);
      expect(inWorker.width).toBe(inProcess.width);
    }
  });

  it("keeps the event loop turning while a HEIC decodes (other traders are served meanwhile)", async () => {
    // Turns of the event loop completed while each decode was pending: on the main thread the
    // synchronous WebAssembly decode holds it; in the worker it keeps turning.
    const turnsDuring = async (inProcess: boolean) => {
      let turns = 0;
      let pending = true;
      const spin = () => {
        if (!pending) return;
        turns += 1;
        setImmediate(spin);
      };
      setImmediate(spin);
      const result = await decodeHeif(fx.heicFixture("upright"), { ...limits, inProcess });
      pending = false;
      expect(result.ok).toBe(true);
      return turns;
    };
    await turnsDuring(false); // load the bundle once in each place first
    await turnsDuring(true);
    const inWorker = await turnsDuring(false);
    const onMainThread = await turnsDuring(true);
    expect(inWorker).toBeGreaterThan(20 * Math.max(onMainThread, 1));
  });

  it("terminates a decode that outlasts its time limit and refuses the file", async () => {
    // The decode's worker, watched from its start: how many answers it posted by the time it
    // ended. One waited for, or left running, would post its pixels before ending on its own.
    const workers: Promise<number>[] = [];
    const watch = (message: unknown) => {
      const { worker } = message as { worker: Worker };
      let posted = 0;
      worker.on("message", () => posted++);
      workers.push(new Promise((resolve) => worker.once("exit", () => resolve(posted))));
    };
    diagnostics.subscribe("worker_threads", watch);
    try {
      expect(await decodeHeif(fx.heicFixture("upright"), { ...limits, timeoutMs: 1 })).toEqual({
        ok: false,
        reason: "corrupt",
        detail: "HEIC: decode took too long",
      });
    } finally {
      diagnostics.unsubscribe("worker_threads", watch);
    }
    // One worker, ended without an answer: the refusal came from the timer, and the decode was
    // cut short rather than run to its end.
    expect(await Promise.all(workers)).toEqual([0]);
  });

  it("keeps an alpha plane as RGBA", async () => {
    const result = await decodeHeif(fx.heicFixture("transparent"), limits);
    if (!result.ok) throw new Error(result.detail);
    expect([result.width, result.height, result.channels]).toEqual([1200, 800, 4]);
    const alpha = (x: number, y: number) => result.pixels[(y * 1200 + x) * 4 + 3];
    expect(alpha(20, 20)).toBe(0);
    expect(alpha(300, 250)).toBe(255);
  });

  it("refuses a picture over the pixel limit from its header, without decoding it", async () => {
    const exact = await decodeHeif(fx.heicFixture("upright"), { maxInputPixels: 1200 * 840 });
    expect(exact).toMatchObject({ ok: true });
    const small = await decodeHeif(fx.heicFixture("upright"), { maxInputPixels: 1200 * 840 - 1 });
    expect(small).toEqual({
      ok: false,
      reason: "too_many_pixels",
      detail: `1200x840 exceeds ${1200 * 840 - 1} pixels`,
    });
    // A decode of this file would fail (its data is 1200×840): the refusal came first.
    const bomb = await decodeHeif(fx.withIspe(fx.heicFixture("upright"), 8000, 6000), limits);
    expect(bomb).toMatchObject({ ok: false, reason: "too_many_pixels" });
  });

  it("says unsupported, not corrupt, for a HEIF in a codec it lacks (AV1 under a heic brand)", async () => {
    expect(await decodeHeif(await fx.decodableHeif(), limits)).toMatchObject({
      ok: false,
      reason: "unsupported_type",
    });
  });

  it.each([
    ["a container without a picture", () => fx.heicContainer()],
    ["a truncated file", () => fx.heicFixture("upright").subarray(0, 40_000)],
    ["a header that does not match the data", () => fx.withIspe(fx.heicFixture("upright"), 64, 64)],
    ["random bytes", () => Buffer.alloc(4096, 0x5a)],
    ["nothing", () => Buffer.alloc(0)],
  ])("refuses %s as corrupt, without throwing", async (_, make) => {
    expect(await decodeHeif(make(), limits)).toMatchObject({ ok: false, reason: "corrupt" });
  });
});
