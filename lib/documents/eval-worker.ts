/**
 * One bounded run of document work in a worker thread, for work that parses what a trader
 * uploaded (HEIC decode, PDF scan and parse): a hostile file can then cost at most the worker's
 * heap and its time, never the server's event loop or memory.
 *
 * The worker is an `eval` worker: its source is a string built in this bundle, and whatever it
 * requires (libheif-js, @cantoo/pdf-lib) is a serverExternalPackage, resolved from node_modules
 * at run time in development, under jest and in the standalone server alike; no separate worker
 * file has to survive bundling.
 *
 * - `resourceLimits` caps the worker's V8 heap: past it the worker dies with
 *   ERR_WORKER_OUT_OF_MEMORY and the run answers `out_of_memory`.
 * - A timer terminates the worker after `timeoutMs` and the run answers `timeout`.
 * Both are refusals for the callers (fail closed): a budget overrun never accepts a file.
 */
import { Worker, type ResourceLimits, type Transferable } from "node:worker_threads";
import { errorMessage } from "@/lib/errors";

export type WorkerRun<T> =
  | { kind: "answer"; value: T }
  | { kind: "timeout" }
  | { kind: "out_of_memory" }
  /** The worker could not be created (threads unavailable here). */
  | { kind: "unavailable"; error: string }
  /** The worker threw outside the work or exited without an answer (its source is ours). */
  | { kind: "failed"; error: string };

export function runEvalWorker<T>(
  source: string,
  options: {
    workerData: unknown;
    transferList?: Transferable[];
    timeoutMs: number;
    resourceLimits: ResourceLimits;
  },
): Promise<WorkerRun<T>> {
  let worker: Worker;
  try {
    worker = startWorker(source, options.resourceLimits, {
      workerData: options.workerData,
      transferList: options.transferList,
    });
  } catch (error) {
    return Promise.resolve({ kind: "unavailable", error: errorMessage(error) });
  }
  return watch<T>(worker, options.timeoutMs);
}

/**
 * Workers whose source loads its libraries and then waits for one job (a message): one is
 * started ahead, while the server is idle, so a job does not wait for the load (requiring
 * pdf-lib takes a worker about 0.3 s). Still one worker per job: it ends with its job, and the
 * next spare is started once the job is done.
 */
export class WarmWorkers {
  private spare: { worker: Worker; alive: boolean } | null = null;

  constructor(
    private readonly source: string,
    private readonly resourceLimits: ResourceLimits,
    /** false: no spare, every job starts its worker (a one-off). */
    private readonly keepSpare = true,
  ) {}

  run<T>(job: unknown, options: { timeoutMs: number; transferList?: Transferable[] }) {
    let entry = this.spare?.alive ? this.spare : null;
    this.spare = null;
    try {
      entry ??= this.start();
    } catch (error) {
      return Promise.resolve<WorkerRun<T>>({ kind: "unavailable", error: errorMessage(error) });
    }
    const run = watch<T>(entry.worker, options.timeoutMs);
    entry.worker.postMessage(job, options.transferList ?? []);
    if (this.keepSpare)
      void run.then(() => {
        try {
          this.spare ??= this.start();
        } catch {
          // The next job starts its own worker (and reports if it cannot).
        }
      });
    return run;
  }

  private start(): { worker: Worker; alive: boolean } {
    const worker = startWorker(this.source, this.resourceLimits, {});
    const entry = { worker, alive: true };
    const dead = () => {
      entry.alive = false;
    };
    worker.once("error", dead);
    worker.once("exit", dead);
    // An idle spare does not keep the process alive.
    worker.unref();
    return entry;
  }
}

function startWorker(
  source: string,
  resourceLimits: ResourceLimits,
  data: { workerData?: unknown; transferList?: Transferable[] },
): Worker {
  const worker = new Worker(source, {
    eval: true,
    ...data,
    resourceLimits,
    // The work writes nothing worth reading; a library's console output stays in the worker.
    stdout: true,
    stderr: true,
  });
  return worker;
}

/** The worker's one answer, or why there is none; the worker is ended either way. */
function watch<T>(worker: Worker, timeoutMs: number): Promise<WorkerRun<T>> {
  // Read and dropped, so a flood of library warnings neither reaches the log nor piles up.
  // Only from here on: a flowing stdio stream keeps the process alive, an idle spare must not.
  worker.stdout.resume();
  worker.stderr.resume();
  return new Promise((resolve) => {
    let settled = false;
    const done = (run: WorkerRun<T>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(run);
      // terminate() frees the worker's heap and any WebAssembly memory at once; the answer has
      // already been copied or transferred out.
      void worker.terminate();
    };
    const timer = setTimeout(() => done({ kind: "timeout" }), timeoutMs);
    worker.once("message", (value: T) => done({ kind: "answer", value }));
    worker.once("error", (error) => {
      const code = (error as { code?: string }).code;
      if (code === "ERR_WORKER_OUT_OF_MEMORY") return done({ kind: "out_of_memory" });
      done({ kind: "failed", error: errorMessage(error) });
    });
    worker.once("exit", (code) => done({ kind: "failed", error: `worker exited (${code})` }));
  });
}
