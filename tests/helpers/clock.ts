/**
 * Moves the clock to `now` for what follows, Date alone (jest.useFakeTimers): timers, I/O, the
 * database driver and the database's own clock run as usual. `advance` lets the faked Date run on
 * from `now`; `jest.setSystemTime` moves it; undo with `jest.useRealTimers()`.
 */
export function setClock(now: Date | number, options: { advance?: boolean } = {}): void {
  jest.useFakeTimers({
    now,
    advanceTimers: options.advance ?? false,
    doNotFake: [
      "hrtime",
      "nextTick",
      "performance",
      "queueMicrotask",
      "requestAnimationFrame",
      "cancelAnimationFrame",
      "requestIdleCallback",
      "cancelIdleCallback",
      "setImmediate",
      "clearImmediate",
      "setInterval",
      "clearInterval",
      "setTimeout",
      "clearTimeout",
    ],
  });
}
