/**
 * Scenarios about what was checked being what is stored, with documents in an S3 bucket (s3rver,
 * a real S3-protocol server) and the browser posting straight to it:
 * - a presigned POST replayed after the confirm cannot replace the checked document, and the
 *   bucket holds it only sealed under the case key (the console decrypts it);
 * - answers, uploads and confirms racing the final submit either land before it (and are part of
 *   the submitted round) or are refused: nothing changes after submit.
 */
import "./support/request-scope";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import S3rver from "s3rver";
import { sql } from "drizzle-orm";
import { documentKey, storage } from "@/lib/storage";
import { storedKeyOf } from "./support/documents";
import { failConfirmOf, restoreDocumentConfirms, whileCaseHeld } from "./support/faults";
import { PERSONAL } from "../fixtures/kyc-values";
import { burst } from "../fixtures/selfie/portrait";
import { SELFIE_BURST_MAX_BYTES } from "@/lib/documents/upload-contract";
import {
  freshPhoto,
  postToStorage,
  signedInStaff,
  Trader,
  type StartedUpload,
} from "./support/people";
import { sqlRows } from "../helpers/sql-rows";
import { scenarioWorld } from "./support/world";
import { adminUrl } from "../helpers/db-target";

const world = scenarioWorld();
const BUCKET = "kyc-scenarios";
const s3dir = mkdtempSync(path.join(tmpdir(), "kyc-s3-"));
const s3 = new S3rver({
  address: "127.0.0.1",
  port: 0,
  silent: true,
  directory: s3dir,
  configureBuckets: [{ name: BUCKET, configs: [] }],
});
let endpoint = "";
const inBucket = () => ({
  STORAGE_DRIVER: "s3",
  S3_BUCKET: BUCKET,
  S3_ENDPOINT: endpoint,
  S3_FORCE_PATH_STYLE: "1",
});
beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = "S3RVER";
  process.env.AWS_SECRET_ACCESS_KEY = "S3RVER";
  endpoint = `http://127.0.0.1:${(await s3.run()).port}`;
  world().configure(inBucket());
});
afterAll(async () => {
  s3.httpServer?.closeAllConnections();
  await s3.close();
  rmSync(s3dir, { recursive: true, force: true });
});

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** A fresh photo, its upload started by the trader and posted to the bucket (not yet confirmed). */
async function photoInBucket(trader: Trader, type: "identity" | "address") {
  const photo = await freshPhoto();
  const started = await trader.beginUpload(type, "page", photo.length);
  expect(started.status).toBe(201);
  const form = started.body as StartedUpload;
  expect((await postToStorage(form, photo, "image/jpeg")).status).toBeLessThan(300);
  return { photo, form };
}

describe("scenario: a presigned POST replayed after the confirm", () => {
  it("cannot replace the checked document: the reviewer opens exactly what was checked", async () => {
    const w = world();
    const trader = new Trader(w, 470_001);
    await trader.launch("kyc");
    await trader.fillStandardForms();
    const uploaded = await trader.upload("identity");
    expect(uploaded.status).toBe(200);
    expect(new URL(uploaded.form!.upload.url).origin).toBe(endpoint);

    // The same signed form, still valid for minutes, posted again with other bytes.
    const other = await freshPhoto();
    const replay = await postToStorage(uploaded.form!, other, "image/jpeg");
    expect(replay.status).toBeLessThan(300);
    // A second confirm answers the first verdict.
    expect(await trader.confirm(uploaded.documentId!)).toEqual({
      status: 200,
      body: expect.objectContaining({ state: "accepted" }),
    });

    await trader.upload("address");
    await trader.submit();
    await w.worker();
    const approver = await signedInStaff(w, "s3.approver@broker.example", "approver");
    const kycCase = await trader.currentCase();
    const evidence = (await (await approver.exportEvidence(kycCase.id)).json()) as {
      documents: { id: string; sha256: string; sizeBytes: number }[];
    };
    const stored = evidence.documents.find((d) => d.id === uploaded.documentId)!;
    const response = await approver.openDocument(uploaded.documentId!);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/jpeg");
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(response.headers.get("content-disposition")).toMatch(
      /^inline; filename="identity-page\.jpg"/,
    );
    const opened = Buffer.from(await response.arrayBuffer());
    expect(opened.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(sha256(opened)).toBe(stored.sha256);
    expect(opened.length).toBe(stored.sizeBytes);
    expect(sha256(opened)).not.toBe(sha256(other));

    // What the bucket holds: the checked file sealed under the case key, and nothing at the
    // upload key (the replayed form's file went with the second confirm).
    const bucket = storage();
    const raw = await bucket.get(await storedKeyOf(w, uploaded.documentId!));
    expect(raw.subarray(0, 4).toString("latin1")).toBe("KYCF");
    expect(raw.includes(opened.subarray(0, 64))).toBe(false);
    expect(raw.length).toBe(opened.length + 33);
    expect(await bucket.head(documentKey(kycCase.id, uploaded.documentId!))).toBeNull();
  });
});

describe("scenario: a second confirm of the same upload races the first", () => {
  it("never leaves stored bytes that differ from the hash recorded for the document", async () => {
    const w = world();
    const trader = new Trader(w, 470_011);
    await trader.launch("kyc");
    await trader.fillStandardForms();
    const first = await freshPhoto();
    const other = await freshPhoto();
    const started = await trader.beginUpload("identity", "page", first.length);
    const form = started.body as StartedUpload;
    expect((await postToStorage(form, first, "image/jpeg")).status).toBeLessThan(300);

    // While the first confirm checks the file it read, the form is posted again with other bytes
    // and a second confirm runs to its end (a double tap, or someone with the session).
    const bucket = storage();
    const get = bucket.get.bind(bucket);
    let second: Awaited<ReturnType<Trader["confirm"]>> | undefined;
    const spy = jest.spyOn(bucket, "get").mockImplementation(async (key, options) => {
      const bytes = await get(key, options);
      if (
        second === undefined &&
        key === documentKey((await trader.currentCase()).id, form.documentId)
      ) {
        second = { status: 0, body: {} };
        expect((await postToStorage(form, other, "image/jpeg")).status).toBeLessThan(300);
        second = await trader.confirm(form.documentId);
      }
      return bytes;
    });
    let confirmed: Awaited<ReturnType<Trader["confirm"]>>;
    try {
      confirmed = await trader.confirm(form.documentId);
    } finally {
      spy.mockRestore();
    }
    expect([confirmed.body.state, second?.body.state]).toEqual(["accepted", "accepted"]);

    // The document is the second confirm's file, and storage holds exactly that, once.
    const kycCase = await trader.currentCase();
    expect(await trader.upload("address")).toMatchObject({ status: 200 });
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    const approver = await signedInStaff(w, "race.s3.approver@broker.example", "approver");
    const evidence = (await (await approver.exportEvidence(kycCase.id)).json()) as {
      documents: { id: string; sha256: string; sizeBytes: number }[];
    };
    const recorded = evidence.documents.find((d) => d.id === form.documentId)!;
    const opened = Buffer.from(await (await approver.openDocument(form.documentId)).arrayBuffer());
    expect(sha256(opened)).toBe(recorded.sha256);
    expect(opened.length).toBe(recorded.sizeBytes);
    // s3rver keeps each object as <bucket>/<key>._S3rver_object under its directory.
    const objects = readdirSync(s3dir, { recursive: true, encoding: "utf8" })
      .filter((name) => name.endsWith("._S3rver_object") && name.includes(form.documentId))
      .map((name) => name.slice(`${BUCKET}/`.length, -"._S3rver_object".length));
    expect(objects).toEqual([await storedKeyOf(w, form.documentId)]);
  });
});

describe("scenario: a retried confirm finds the file gone because the first one recorded it", () => {
  it("answers what the first confirm decided, not a missing document", async () => {
    const w = world();
    const trader = new Trader(w, 470_031);
    await trader.launch("kyc");
    const { form } = await photoInBucket(trader, "identity");
    const kycCase = await trader.currentCase();

    // The confirm sees the file in the bucket; before it reads it, the screen's retry of the
    // same confirm runs to its end, recording the file and emptying the upload key.
    const bucket = storage();
    const head = bucket.head.bind(bucket);
    let retried: Awaited<ReturnType<Trader["confirm"]>> | undefined;
    const spy = jest.spyOn(bucket, "head").mockImplementation(async (key) => {
      const found = await head(key);
      if (retried === undefined && key === documentKey(kycCase.id, form.documentId)) {
        retried = { status: 0, body: {} };
        retried = await trader.confirm(form.documentId);
      }
      return found;
    });
    let first: Awaited<ReturnType<Trader["confirm"]>>;
    try {
      first = await trader.confirm(form.documentId);
    } finally {
      spy.mockRestore();
    }
    expect(retried).toEqual({
      status: 200,
      body: { documentId: form.documentId, state: "accepted" },
    });
    expect(first).toEqual(retried);
    expect(await trader.sides("identity")).toEqual([
      expect.objectContaining({ side: "page", state: "accepted" }),
    ]);
  });
});

describe("scenario: the database fails while a confirm records the checked file", () => {
  it("leaves no stored copy behind, and the trader's next confirm stores the file once", async () => {
    const w = world();
    const trader = new Trader(w, 470_021);
    await trader.launch("kyc");
    const { form } = await photoInBucket(trader, "identity");
    const objects = () =>
      readdirSync(s3dir, { recursive: true, encoding: "utf8" })
        .filter((name) => name.endsWith("._S3rver_object") && name.includes(form.documentId))
        .map((name) => name.slice(`${BUCKET}/`.length, -"._S3rver_object".length));

    await failConfirmOf(w, form.documentId);
    try {
      expect((await trader.confirm(form.documentId)).status).toBe(500);
    } finally {
      await restoreDocumentConfirms(w);
    }
    // Only the upload itself, still waiting to be confirmed.
    const kycCase = await trader.currentCase();
    expect(objects()).toEqual([documentKey(kycCase.id, form.documentId)]);

    expect(await trader.confirm(form.documentId)).toMatchObject({
      status: 200,
      body: { state: "accepted" },
    });
    expect(objects()).toEqual([await storedKeyOf(w, form.documentId)]);
  });
});

describe("scenario: nothing changes after submit", () => {
  it("refuses every answer, upload and confirm that lands after the submit, whatever the interleaving", async () => {
    const w = world();
    let submitted = 0;
    for (let attempt = 0; attempt < 6; attempt++) {
      const trader = new Trader(w, 471_000 + attempt);
      await trader.launch("kyc");
      await trader.fillStandardForms();
      await trader.upload("identity");
      expect((await trader.upload("address")).status).toBe(200);
      // A second address upload in flight: the file is in the bucket, the confirm not yet sent.
      const photo = await freshPhoto();
      const begun = await trader.beginUpload("address", "page", photo.length);
      expect(begun.status).toBe(201);
      const late = begun.body as StartedUpload;
      await postToStorage(late, photo, "image/jpeg");

      // The submit and the late writes race. Every third attempt also races an edit typed on
      // the current form (which, landing first, rightly makes the case incomplete again).
      const results = await Promise.allSettled([
        trader.submit(),
        trader.continue("proof_of_address", {
          addressDocumentKind: "bank_statement",
          issueDate: new Date(Date.now() - 5 * 86_400_000).toISOString().slice(0, 10),
        }),
        trader.confirm(late.documentId),
        ...(attempt % 3 === 0
          ? [trader.autosave("personal", { ...PERSONAL, city: `Lund ${attempt}` }, 1)]
          : []),
      ]);
      expect(results.every((r) => r.status === "fulfilled")).toBe(true);
      const kycCase = await trader.currentCase();
      if (kycCase.status === "draft") {
        // The edit landed first: nothing was submitted, and nothing the trader typed is lost.
        expect(attempt % 3).toBe(0);
        expect(await trader.html("kyc", { step: "personal" })).toContain(`value="Lund ${attempt}"`);
        continue;
      }
      expect(kycCase.status).toBe("submitted");
      submitted++;

      // What the reviewer sees is exactly what the round froze at the submit.
      const approver = await signedInStaff(w, `race${attempt}@broker.example`, "approver");
      const evidence = (await (await approver.exportEvidence(kycCase.id)).json()) as {
        rounds: {
          answers: Record<string, { data: unknown; values: unknown }>;
          documentIds: string[];
        }[];
        currentAnswers: Record<string, { data: unknown; values: unknown }>;
        documents: { id: string; replacedAt: string | null }[];
      };
      expect(evidence.rounds).toHaveLength(1);
      const [round] = evidence.rounds;
      for (const [step, answer] of Object.entries(evidence.currentAnswers))
        expect({ step, data: answer.data, values: answer.values }).toEqual({
          step,
          ...round!.answers[step],
        });
      const current = evidence.documents.filter((d) => d.replacedAt === null).map((d) => d.id);
      expect(current.sort()).toEqual([...round!.documentIds].sort());
    }
    expect(submitted).toBeGreaterThanOrEqual(4);
  }, 180_000);
});

describe("scenario: a confirm still checking its file when the case is submitted from another tab", () => {
  it("refuses the file, and the purge empties its upload key of a replay once the form expired", async () => {
    const w = world();
    // Three files: the two documents and one more, so a refusal that counted would show.
    w.configure({ ...inBucket(), UPLOAD_MAX_FILES_PER_CASE: "3" });
    try {
      const trader = new Trader(w, 472_001);
      await trader.launch("kyc");
      await trader.fillStandardForms();
      await trader.uploadStandardDocuments();
      const kycCase = await trader.currentCase();
      // A better photo of the bill, in the bucket; its confirm reads it...
      const { photo, form } = await photoInBucket(trader, "address");
      const bucket = storage();
      const get = bucket.get.bind(bucket);
      let submitted: Awaited<ReturnType<Trader["submit"]>> | undefined;
      const spy = jest.spyOn(bucket, "get").mockImplementation(async (key, options) => {
        const bytes = await get(key, options);
        // ...while the trader sends the case from another tab.
        if (submitted === undefined && key === documentKey(kycCase.id, form.documentId))
          submitted = await trader.submit();
        return bytes;
      });
      let confirmed: Awaited<ReturnType<Trader["confirm"]>>;
      try {
        confirmed = await trader.confirm(form.documentId);
      } finally {
        spy.mockRestore();
      }
      expect(submitted).toEqual({ redirect: "/inapp/kyc/status" });
      expect(confirmed).toMatchObject({ status: 409, body: { reason: "not_editable" } });
      expect(await bucket.head(documentKey(kycCase.id, form.documentId))).toBeNull();

      // The form is still valid: posted again, the bucket takes the file, in clear, with no row.
      expect((await postToStorage(form, photo, "image/jpeg")).status).toBeLessThan(300);
      expect(await bucket.head(documentKey(kycCase.id, form.documentId))).not.toBeNull();
      // Once no form can put it back, the worker's purge deletes it.
      await w.worker(new Date(Date.now() + 10 * 60_000));
      expect(await bucket.head(documentKey(kycCase.id, form.documentId))).toBeNull();

      // The officer sees the refusal in the case's trail; it did not take one of the trader's
      // files: asked for the bill again, the trader can still upload it.
      const officer = await signedInStaff(w, "race.refused@broker.example", "approver");
      const evidence = (await (await officer.exportEvidence(kycCase.id)).json()) as {
        audit: { rows: { action: string; data: Record<string, unknown> }[] };
      };
      expect(
        evidence.audit.rows.filter((r) => r.action === "document.refused").map((r) => r.data),
      ).toEqual([expect.objectContaining({ documentId: form.documentId, reason: "not_editable" })]);
      expect(
        await officer.requestInformation(kycCase.id, ["document:address"], "A newer bill, please."),
      ).toBe("action_requested");
      expect(await trader.upload("address")).toMatchObject({ status: 200 });
    } finally {
      w.configure(inBucket());
    }
  });
});

describe("scenario: an upload started as the case is submitted from another tab", () => {
  // A second connection holds the case, so the submit waits for its lock first and the upload
  // start, which has read the case as a draft, queues behind it: PostgreSQL only.
  (adminUrl() ? it : it.skip)(
    "refuses the start that waited for the submit, and records no upload on the submitted case",
    async () => {
      const w = world();
      const trader = new Trader(w, 472_002);
      await trader.launch("kyc");
      await trader.fillStandardForms();
      await trader.uploadStandardDocuments();
      const kycCase = await trader.currentCase();
      const photo = await freshPhoto();
      let started: ReturnType<Trader["beginUpload"]> | undefined;
      const submitted = await whileCaseHeld(w, kycCase.id, 1, () => trader.submit(), {
        meanwhile: async (untilWaiting) => {
          started = trader.beginUpload("address", "page", photo.length);
          await untilWaiting(2, started);
        },
      });
      expect(submitted).toEqual({ redirect: "/inapp/kyc/status" });
      expect(await started).toMatchObject({ status: 409, body: { reason: "not_editable" } });
      const pending = await sqlRows<{ n: number }>(
        w.db.db,
        sql`select count(*)::int as n from documents
          where case_id = ${kycCase.id} and status = 'pending'`,
      );
      expect(pending).toEqual([{ n: 0 }]);
    },
  );
});

describe("scenario: a selfie burst heavier than a burst can be, in a bucket that ignores the form's size", () => {
  it("is refused at the confirm as too large, whatever the screen declared", async () => {
    const w = world();
    // The built-in levels plus `standard_selfie`.
    w.configure({
      ...inBucket(),
      KYC_LEVELS_PATH: path.join(__dirname, "../fixtures/levels/with-selfie.json"),
    });
    try {
      const trader = new Trader(w, 473_001);
      await trader.launch("kyc", { kycType: "standard_selfie" });
      const { challengeId } = (await trader.selfieChallenge()).body as { challengeId: string };
      const frame = await burst(250, 1);
      const started = await trader.beginSelfieFrame(challengeId, "frame_1", frame);
      expect(started.status).toBe(201);
      // s3rver, like other S3 emulators, takes the file whatever the policy's size range says.
      const heavy = Buffer.concat([frame, randomBytes(SELFIE_BURST_MAX_BYTES)]);
      expect((await postToStorage(started.body, heavy, "image/jpeg")).status).toBeLessThan(300);
      expect(await trader.confirm(started.body.documentId)).toMatchObject({
        status: 413,
        body: { reason: "too_large" },
      });
      const kycCase = await trader.currentCase();
      expect(await storage().head(documentKey(kycCase.id, started.body.documentId))).toBeNull();
    } finally {
      w.configure(inBucket());
    }
  });
});

describe("scenario: the form posted again with a larger file while the confirm looks at the first", () => {
  it("refuses the file as too large at the read, and leaves nothing at the upload key", async () => {
    const w = world();
    // A 1 MB ceiling: the replay passes it with little to send (s3rver ignores the form's size).
    w.configure({ ...inBucket(), UPLOAD_MAX_BYTES: String(1024 * 1024) });
    try {
      const trader = new Trader(w, 474_001);
      await trader.launch("kyc");
      const { photo, form } = await photoInBucket(trader, "identity");
      const kycCase = await trader.currentCase();
      const uploadKey = documentKey(kycCase.id, form.documentId);

      // The confirm sees the photo's size; before it reads the file, the same form is posted
      // again with a file over the limit.
      const bucket = storage();
      const head = bucket.head.bind(bucket);
      let replayed: number | undefined;
      const spy = jest.spyOn(bucket, "head").mockImplementation(async (key) => {
        const found = await head(key);
        if (replayed === undefined && key === uploadKey) {
          const heavy = Buffer.concat([photo, randomBytes(1024 * 1024)]);
          replayed = (await postToStorage(form, heavy, "image/jpeg")).status;
        }
        return found;
      });
      let confirmed: Awaited<ReturnType<Trader["confirm"]>>;
      try {
        confirmed = await trader.confirm(form.documentId);
      } finally {
        spy.mockRestore();
      }
      expect(replayed).toBeLessThan(300);
      expect(confirmed).toMatchObject({ status: 413, body: { reason: "too_large" } });
      expect(await bucket.head(uploadKey)).toBeNull();
      expect(await trader.sides("identity")).toEqual([
        expect.objectContaining({ side: "page", state: "missing" }),
      ]);
      // Recorded like any refused file; a retried confirm finds nothing to decide again.
      const refusals = await sqlRows<{ data: { documentId: string; reason: string } }>(
        w.db.db,
        sql`select data from audit_events where case_id = ${kycCase.id}
          and action = 'document.refused'`,
      );
      expect(refusals.map((r) => r.data)).toEqual([
        expect.objectContaining({ documentId: form.documentId, reason: "too_large" }),
      ]);
      expect((await trader.confirm(form.documentId)).status).toBe(404);
    } finally {
      w.configure(inBucket());
    }
  });
});
