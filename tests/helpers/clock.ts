/**
 * Moves the clock to `now` for what follows, Date alone (jest.useFakeTimers): timers, I/O, the
 * database driver and the database's own clock run as usual. `advance` lets the faked Date run on
 * from `now`; `intervals` fakes setInterval too (the code's periodic timers then run only as
 * `jest.advanceTimersByTime` moves the clock); `jest.setSystemTime` moves it; undo with
 * `jest.useRealTimers()`.
 */
export function setClock(
  now: Date | number,
  options: { advance?: boolean; intervals?: boolean } = {},
): void {
  const intervals = ["setInterval", "clearInterval"] as const;
  jest.useFakeTimers({
    now,
    advanceTimers: options.advance ?? false,
    doNotFake: [
      ...(options.intervals ? [] : intervals),
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
      "setTimeout",
      "clearTimeout",
    ],
  });
}
