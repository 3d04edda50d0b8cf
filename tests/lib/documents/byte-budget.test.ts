import { ByteBudget } from "@/lib/documents/byte-budget";
import { RASTER_DECODE_BUDGET, checkImage } from "@/lib/documents/image-check";
import { photo } from "@/tests/fixtures/documents/make-fixtures";

/** A task that records when it ran and finishes when told to. */
function gate(log: string[], name: string) {
  let open!: () => void;
  const done = new Promise<void>((resolve) => (open = resolve));
  return {
    task: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
      return name;
    },
    open: () => open(),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("ByteBudget", () => {
  it("runs tasks together while their bytes fit, and holds the next until enough is released", async () => {
    const budget = new ByteBudget(100);
    const log: string[] = [];
    const a = gate(log, "a");
    const b = gate(log, "b");
    const c = gate(log, "c");
    const runs = [budget.run(40, a.task), budget.run(50, b.task), budget.run(30, c.task)];
    await tick();
    expect(log).toEqual(["start a", "start b"]);
    expect(budget.used).toBe(90);
    a.open();
    await tick();
    await tick();
    expect(log).toEqual(["start a", "start b", "end a", "start c"]);
    expect(budget.used).toBe(80);
    b.open();
    c.open();
    expect(await Promise.all(runs)).toEqual(["a", "b", "c"]);
    expect(budget.used).toBe(0);
  });

  it("runs a task larger than the whole budget alone instead of never", async () => {
    const budget = new ByteBudget(100);
    const log: string[] = [];
    const big = gate(log, "big");
    const small = gate(log, "small");
    const runs = [budget.run(500, big.task), budget.run(1, small.task)];
    await tick();
    expect(log).toEqual(["start big"]);
    big.open();
    small.open();
    await Promise.all(runs);
    expect(log).toEqual(["start big", "end big", "start small", "end small"]);
  });

  it("keeps arrival order: a large waiting task is not starved by small ones behind it", async () => {
    const budget = new ByteBudget(100);
    const log: string[] = [];
    const first = gate(log, "first");
    const large = gate(log, "large");
    const small = gate(log, "small");
    const runs = [
      budget.run(60, first.task),
      budget.run(80, large.task),
      budget.run(10, small.task),
    ];
    await tick();
    // small (10) would fit next to first (60), but large arrived before it.
    expect(log).toEqual(["start first"]);
    first.open();
    large.open();
    small.open();
    await Promise.all(runs);
    expect(log.filter((l) => l.startsWith("start"))).toEqual([
      "start first",
      "start large",
      "start small",
    ]);
  });

  it("gives the bytes back when a task fails", async () => {
    const budget = new ByteBudget(100);
    await expect(budget.run(100, () => Promise.reject(new Error("decode failed")))).rejects.toThrow(
      "decode failed",
    );
    expect(budget.used).toBe(0);
    expect(await budget.run(100, async () => "next")).toBe("next");
  });
});

describe("the sharp path's raster decode", () => {
  it("holds its decoded bytes in the shared budget while it runs, and gives them back", async () => {
    const width = 1600;
    const height = 1200;
    const jpeg = await photo({ width, height });
    const seen = new Set<number>();
    const check = checkImage(jpeg, { accelerator: null });
    let finished = false;
    void check.finally(() => (finished = true));
    while (!finished) {
      seen.add(RASTER_DECODE_BUDGET.used);
      await tick();
    }
    expect((await check).ok).toBe(true);
    expect(seen).toContain(width * height * 3);
    expect(RASTER_DECODE_BUDGET.used).toBe(0);
  });
});
