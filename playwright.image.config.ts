/**
 * The image test (tests/image): the Dockerfile's run stage assembled into a directory and run as
 * the image runs (see tests/image/image-dir.ts). Needs `npm run build` first and an empty
 * PostgreSQL database in IMAGE_DATABASE_URL; .ci/run does both.
 */
import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

export const IMAGE_PORT = Number(process.env.IMAGE_PORT || 3930);
export const IMAGE_ORIGIN = `http://127.0.0.1:${IMAGE_PORT}`;

export default defineConfig({
  ...base,
  testDir: "tests/image",
  // Its own folder, as the vendors run's: Playwright empties its output folder first, and
  // test-results/ keeps the main run's contact sheet and console screenshots.
  outputDir: "test-results/image",
  timeout: 120_000,
  webServer: undefined,
  use: { ...base.use, baseURL: IMAGE_ORIGIN },
});
