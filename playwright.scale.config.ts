/**
 * The scale-out test (tests/scale): two app replicas and two workers from the image's files
 * (tests/image/image-dir.ts) on one PostgreSQL database. Needs `npm run build` first and an empty
 * database in SCALE_DATABASE_URL; .ci/run does both. SCALE_PORT picks the first replica's port
 * (the second takes the next one).
 */
import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

const first = Number(process.env.SCALE_PORT || 3940);
export const SCALE_PORTS: [number, number] = [first, first + 1];

export default defineConfig({
  ...base,
  testDir: "tests/scale",
  // Its own folder, as the vendors run's: Playwright empties its output folder first, and
  // test-results/ keeps the main run's contact sheet and console screenshots.
  outputDir: "test-results/scale",
  timeout: 300_000,
  webServer: undefined,
});
