/**
 * One global limit on the document work a server does at the same time: each confirm's check
 * (a PDF's scan and parse in its worker, a HEIC decode in its worker, sharp's decode and
 * re-encode) takes one slot for its whole run and the rest wait their turn. Without it, a trader
 * who confirms hostile files in parallel (each bounded alone: a PDF worker's heap and timeout, a
 * HEIC worker's timeout, sharp's timeout) multiplies those bounds by as many requests as they can
 * open, and takes every core from the traders being served.
 *
 * Slots: one per core but one (the event loop keeps a core), at least one, at most four. sharp
 * runs each pipeline on a libuv pool thread, so the pool must be larger than the slots, or file
 * reads, DNS lookups, crypto (password hashing) and zlib would queue behind images:
 * UV_THREADPOOL_SIZE is set to 8 where the server starts (Dockerfile, `npm start`), since libuv
 * reads it once, before any code of ours runs; a smaller pool is reported in the log.
 *
 * p-limit (sindresorhus, ~40 lines, no native code) rather than a semaphore of our own: it is the
 * maintained, widely used implementation of exactly this queue.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { availableParallelism } from "node:os";
import pLimit from "p-limit";
import { log } from "@/lib/log";

export const DOCUMENT_WORK_SLOTS = Math.max(1, Math.min(4, availableParallelism() - 1));
/** libuv's pool: the slots plus libuv's default four for everything else. */
export const RECOMMENDED_UV_THREADPOOL_SIZE = DOCUMENT_WORK_SLOTS + 4;

const limit = pLimit(DOCUMENT_WORK_SLOTS);
/** Set while work holds a document slot: OCR refuses to start there (withOcrSlot). */
const holdingDocumentSlot = new AsyncLocalStorage<true>();
let poolChecked = false;

/** Runs `work` when a slot is free; resolves or rejects with it. */
export function withDocumentSlot<T>(work: () => Promise<T>): Promise<T> {
  if (!poolChecked) {
    poolChecked = true;
    const pool = Number(process.env.UV_THREADPOOL_SIZE) || 4;
    if (pool < RECOMMENDED_UV_THREADPOOL_SIZE)
      log.warn("documents.threadpool_small", {
        uvThreadpoolSize: pool,
        recommended: RECOMMENDED_UV_THREADPOOL_SIZE,
      });
  }
  return limit(() => holdingDocumentSlot.run(true, work));
}

/** Checks running and waiting, for tests and metrics. */
export function documentWorkLoad(): { active: number; pending: number } {
  return { active: limit.activeCount, pending: limit.pendingCount };
}

/**
 * OCR (the MRZ read, mrz-read.ts) has a limit of its own, one read at a time, and never takes a
 * slot of the one above. A read costs seconds (a sideways page ~6.5 s mean, docs/benchmarks.md
 * "MRZ"), and it runs in the web process as well as the worker: the checks after a submit or a
 * decision and the pre-fill after an identity upload are scheduled after the response there.
 * Under the shared limit, on a 2-core host (one slot) each read held the slot every trader's
 * upload confirm waits for. Moving OCR to the worker alone would have kept it off the web process
 * but delayed the pre-fill to the next sweep; with its own limit a confirm shares the CPU with at
 * most one read (tesseract's one worker thread, which reads one page at a time anyway) and never
 * queues behind it.
 */
const ocrLimit = pLimit(1);

/**
 * Runs `work` when no other OCR runs; resolves or rejects with it. Refuses to start inside a
 * document slot: the read would hold that slot for its whole run and every wait for its turn.
 */
export function withOcrSlot<T>(work: () => Promise<T>): Promise<T> {
  if (holdingDocumentSlot.getStore())
    return Promise.reject(new Error("OCR inside a document slot (work-limit.ts withOcrSlot)"));
  return ocrLimit(work);
}

/** OCR reads running and waiting, for tests and metrics. */
export function ocrWorkLoad(): { active: number; pending: number } {
  return { active: ocrLimit.activeCount, pending: ocrLimit.pendingCount };
}
