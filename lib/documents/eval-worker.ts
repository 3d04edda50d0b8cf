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
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(source, {
        eval: true,
        workerData: options.workerData,
        transferList: options.transferList,
        resourceLimits: options.resourceLimits,
        // The work writes nothing worth reading; a library's console output stays in the worker.
        stdout: true,
        stderr: true,
      });
    } catch (error) {
      return resolve({ kind: "unavailable", error: errorMessage(error) });
    }
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
    const timer = setTimeout(() => done({ kind: "timeout" }), options.timeoutMs);
    // Read and dropped, so a flood of library warnings neither reaches the log nor piles up.
    worker.stdout.resume();
    worker.stderr.resume();
    worker.once("message", (value: T) => done({ kind: "answer", value }));
    worker.once("error", (error) => {
      const code = (error as { code?: string }).code;
      if (code === "ERR_WORKER_OUT_OF_MEMORY") return done({ kind: "out_of_memory" });
      done({ kind: "failed", error: errorMessage(error) });
    });
    worker.once("exit", (code) => done({ kind: "failed", error: `worker exited (${code})` }));
  });
}
