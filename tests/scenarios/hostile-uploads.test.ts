/**
 * A bounded abuse run through the real upload entry points (start → storage upload → confirm):
 * one trader loops hostile files (PDFs whose object streams inflate far beyond the budget, by
 * their plain name, an escaped one, a dictionary the byte scan cannot see, a cross-reference
 * stream; a PDF pdf-lib parses for a second; an image and a HEIC over the pixel limit) while
 * another trader keeps using the app. The guarantees:
 * - every hostile file is refused with a 4xx, none accepted, none a 5xx;
 * - the other trader's requests and the health check are answered, their own upload accepted;
 * - the process's RSS stays under a stated ceiling above where it started;
 * - nothing is left in storage without a row.
 *
 * The jest run is short (HOSTILE_RUN_MS) and times nothing: `npm run bench -- --only hostile`
 * runs the same loop for 60 s against the built server and judges the other trader's p95
 * (tests/bench/hostile-uploads.ts).
 */
import "./support/request-scope";
import path from "node:path";
import { GET as health } from "@/app/api/health/route";
import { getDocumentById } from "@/lib/db/queries/documents";
import { DOCUMENT_WORK_SLOTS } from "@/lib/documents/work-limit";
import * as fx from "../fixtures/documents/make-fixtures";
import { freshPhoto, Trader } from "./support/people";
import { storedDocumentIds } from "../helpers/stored-documents";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();

const MB = 1024 * 1024;
const HOSTILE_RUN_MS = 5_000;
/**
 * How far RSS may rise during the run: the checks' workers (a PDF worker's heap is capped at
 * 192 MB, plus the file and at most 2 × 4 MB inflated; DOCUMENT_WORK_SLOTS run at once) and
 * sharp's buffers. Measured on the 2-core reference machine (one slot): +90 MB.
 */
const RSS_CEILING_BYTES = (128 + 256 * DOCUMENT_WORK_SLOTS) * MB;

describe("scenario: one trader loops hostile uploads while another trader is served", () => {
  it("refuses every hostile file, serves the other trader, keeps RSS under its ceiling, leaves no orphan", async () => {
    const w = world();
    const hostile = new Trader(w, 480_001);
    await hostile.launch("kyc");
    await hostile.fillStandardForms();
    const other = new Trader(w, 480_002);
    await other.launch("kyc");
    await other.fillStandardForms();
    const files = fx.hostileUploads();
    // Made before the clock starts: drawing it is the test's own work on this thread.
    const photo = await freshPhoto();

    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 10);

    // Every file at least once, then on until the time is up.
    const deadline = Date.now() + HOSTILE_RUN_MS;
    const answers: { file: string; status: number }[] = [];
    let hostileDone = false;
    const hostileLoop = (async () => {
      for (let i = 0; i < files.length || Date.now() < deadline; i++) {
        const file = files[i % files.length]!;
        const result = await hostile.upload("address", "page", file.bytes, file.type);
        answers.push({ file: file.name, status: result.status });
      }
    })().finally(() => {
      hostileDone = true;
    });

    const served: boolean[] = [];
    let otherUploads = 0;
    while (!hostileDone) {
      served.push((await other.status()) === "draft");
      served.push((await health()).ok);
      served.push((await other.html("kyc", { step: "personal" })).includes('name="givenNames"'));
      // The other trader's own document waits for at most the checks ahead of it.
      if (otherUploads === 0 && answers.length >= 2)
        if ((await other.upload("identity", "page", photo)).status === 200) otherUploads += 1;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await hostileLoop;
    clearInterval(sampler);

    expect(answers.length).toBeGreaterThanOrEqual(files.length);
    // Every hostile file is refused (422) until the refusals have spent the case's file limit
    // (refused files count for an hour); from then on the upload is not even started (409).
    const spent = answers.findIndex((a) => a.status !== 422);
    const refused = spent === -1 ? answers : answers.slice(0, spent);
    for (const answer of refused) expect(answer).toEqual({ file: answer.file, status: 422 });
    expect(refused.length).toBeGreaterThanOrEqual(files.length);
    for (const answer of answers.slice(refused.length))
      expect(answer).toEqual({ file: answer.file, status: 409 });
    expect(otherUploads).toBe(1);
    expect(served.length).toBeGreaterThan(10);
    expect(served.every(Boolean)).toBe(true);
    expect(rssPeak - rssBefore).toBeLessThan(RSS_CEILING_BYTES);

    for (const id of storedDocumentIds(path.join(w.dataDir, "documents")))
      expect({ id, row: Boolean(await getDocumentById(id)) }).toEqual({ id, row: true });
  }, 120_000);
});
