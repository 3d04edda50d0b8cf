/**
 * A cap on the bytes some work may hold at once: `run(bytes, task)` starts the task when the bytes
 * already in use plus its own fit the budget, else waits its turn (first come, first served). A
 * task larger than the whole budget runs alone rather than never. Used by the sharp path of the
 * document check, whose quality raster needs the decoded image in memory (up to 120 MB at the
 * 40 MP limit): a burst of large uploads then waits instead of exhausting the server's memory.
 */
export class ByteBudget {
  private inUse = 0;
  private readonly waiting: { bytes: number; start: () => void }[] = [];

  constructor(readonly limit: number) {}

  /** Bytes currently held by running tasks. */
  get used(): number {
    return this.inUse;
  }

  async run<T>(bytes: number, task: () => Promise<T>): Promise<T> {
    await this.acquire(bytes);
    try {
      return await task();
    } finally {
      this.release(bytes);
    }
  }

  private acquire(bytes: number): Promise<void> {
    if (this.waiting.length === 0 && this.fits(bytes)) {
      this.inUse += bytes;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.waiting.push({
        bytes,
        start: () => {
          this.inUse += bytes;
          resolve();
        },
      }),
    );
  }

  private release(bytes: number): void {
    this.inUse -= bytes;
    // Strict order: the head of the queue starts first, so a large task is never starved by
    // small ones slipping past it.
    while (this.waiting.length > 0 && this.fits(this.waiting[0]!.bytes)) {
      this.waiting.shift()!.start();
    }
  }

  private fits(bytes: number): boolean {
    return this.inUse === 0 || this.inUse + bytes <= this.limit;
  }
}
