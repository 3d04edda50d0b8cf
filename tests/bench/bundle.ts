/**
 * First-load JavaScript of a route, from the stats `next build` writes to
 * .next/diagnostics/route-bundle-stats.json. Next 16 writes an array of
 *   { route, firstLoadUncompressedJsBytes, firstLoadChunkPaths: [".next/static/chunks/….js"] }
 * with chunk paths relative to the project root. Next reports only uncompressed bytes; what a
 * trader downloads is the compressed size, so each chunk is gzipped here (level 9) and summed.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

export const BUNDLE_STATS_FILE = path.join(".next", "diagnostics", "route-bundle-stats.json");

export type ChunkSize = { path: string; rawBytes: number; gzipBytes: number };

export type FirstLoadJs = {
  route: string;
  /** Next's own figure; should equal rawBytes. */
  reportedUncompressedBytes: number;
  rawBytes: number;
  gzipBytes: number;
  chunks: ChunkSize[];
};

type RouteEntry = {
  route: string;
  firstLoadUncompressedJsBytes: number;
  firstLoadChunkPaths: string[];
};

function isRouteEntry(value: unknown): value is RouteEntry {
  if (typeof value !== "object" || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.route === "string" &&
    typeof entry.firstLoadUncompressedJsBytes === "number" &&
    Array.isArray(entry.firstLoadChunkPaths) &&
    entry.firstLoadChunkPaths.every((p) => typeof p === "string")
  );
}

/** Chunk paths are listed as ".next/static/…"; a bare "static/…" is taken as relative to .next/. */
function resolveChunk(root: string, chunk: string): string {
  const distDir = path.join(root, ".next");
  const resolved = chunk.startsWith(".next/") ? path.join(root, chunk) : path.join(distDir, chunk);
  if (!resolved.startsWith(distDir + path.sep)) throw new Error(`chunk outside .next/: ${chunk}`);
  return resolved;
}

export function measureFirstLoadJs(root: string, route: string): FirstLoadJs {
  const file = path.join(root, BUNDLE_STATS_FILE);
  let stats: unknown;
  try {
    stats = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(
      `cannot read ${BUNDLE_STATS_FILE} (run with --build?): ${(error as Error).message}`,
    );
  }
  if (!Array.isArray(stats)) throw new Error(`${BUNDLE_STATS_FILE}: expected an array of routes`);
  const entry = stats.find((e: unknown) => isRouteEntry(e) && e.route === route) as
    RouteEntry | undefined;
  if (!entry) throw new Error(`${BUNDLE_STATS_FILE}: no entry for route ${route}`);

  const chunks = entry.firstLoadChunkPaths.map((chunk): ChunkSize => {
    const bytes = readFileSync(resolveChunk(root, chunk));
    return { path: chunk, rawBytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
  });
  return {
    route,
    reportedUncompressedBytes: entry.firstLoadUncompressedJsBytes,
    rawBytes: chunks.reduce((sum, c) => sum + c.rawBytes, 0),
    gzipBytes: chunks.reduce((sum, c) => sum + c.gzipBytes, 0),
    chunks,
  };
}
