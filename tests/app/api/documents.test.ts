/**
 * Document upload end to end on the local driver: the trader's JSON routes, the signed upload
 * route, the server-side check, the database rows and the files on disk. Hostile files are
 * refused with a clear reason and leave nothing behind.
 */
import "../../scenarios/support/request-scope";
import type { StartUploadRequest } from "@/lib/documents/upload-contract";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import { ensureOpenCase } from "@/lib/db/queries/cases";
import { upsertTrader } from "@/lib/db/queries/traders";
import { auditEvents, documents } from "@/lib/db/schema";
import {
  SESSION_REFUSALS,
  UPLOAD_REFUSALS,
  confirmUploadResponse,
  documentSidesResponse,
  refusalResponse,
  startUploadResponse,
} from "@/lib/documents/upload-contract";
import { caseCipher } from "@/lib/security/case-keys";
import * as fx from "../../fixtures/documents/make-fixtures";
import { IDENTITY, PERSONAL } from "../../fixtures/kyc-values";
import { setTraderCookie } from "../../helpers/request-scope";
import { currentWindowRef, openSession } from "../../helpers/sessions";
import { setTestEnv } from "../../helpers/env";
import { createTestDb, type TestDb } from "../../helpers/test-db";

import { continueStep, submitCaseAction } from "@/app/inapp/kyc/actions";
import { GET as listSides, POST as startUpload } from "@/app/api/inapp/documents/route";
import { POST as confirm } from "@/app/api/inapp/documents/[id]/confirm/route";
import { POST as uploadLocal } from "@/app/api/uploads/local/route";
import { POST as createHandoff } from "@/app/api/inapp/handoff/route";

let t: TestDb;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "kyc-docs-"));
  setTestEnv({ DATA_DIR: dataDir, UPLOAD_MAX_FILES_PER_CASE: "6" });
  t = await createTestDb();
});
afterAll(async () => {
  await t.close();
  rmSync(dataDir, { recursive: true, force: true });
});

let nextUser = 61_000;
/** A stored file as the app reads it: sealed under the case key on disk, opened with it here. */
async function openStored(file: string, caseId: string, documentId: string): Promise<Buffer> {
  const sealed = readFileSync(file);
  expect(sealed.subarray(0, 4).toString("latin1")).toBe("KYCF");
  return (await caseCipher(caseId)).openFile(documentId, sealed);
}

async function traderSession() {
  const trader = await upsertTrader(
    { ctraderUserId: nextUser++, email: null, tradingLogin: null },
    "en",
  );
  const kycCase = await ensureOpenCase(trader.id, "standard", "manual");
  const session = await openSession(trader.id, kycCase.id);
  setTraderCookie(session.id);
  return { trader, kycCase };
}

const json = (body: unknown, headers: Record<string, string> = {}) =>
  new Request("https://broker.test/api/inapp/documents", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      host: "broker.test",
      "x-kyc-window": currentWindowRef(),
      ...headers,
    },
    body: JSON.stringify(body),
  });

type Started = { documentId: string; upload: { url: string; fields: Record<string, string> } };

async function start(
  body: Record<string, unknown>,
): Promise<{ status: number; body: Started & { reason?: string } }> {
  const response = await startUpload(json(body));
  return {
    status: response.status,
    body: (await response.json()) as Started & { reason?: string },
  };
}

async function post(started: Started, bytes: Buffer, type: string) {
  const form = new FormData();
  for (const [k, v] of Object.entries(started.upload.fields)) form.append(k, v);
  form.append("file", new Blob([new Uint8Array(bytes)], { type }), "photo");
  return uploadLocal(
    new Request(new URL(started.upload.url, "https://broker.test"), { method: "POST", body: form }),
  );
}

const confirmIt = async (id: string) => {
  const response = await confirm(
    new Request(`https://broker.test/api/inapp/documents/${id}/confirm`, {
      method: "POST",
      headers: { host: "broker.test", "x-kyc-window": currentWindowRef() },
    }),
    { params: Promise.resolve({ id }) },
  );
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

async function uploadAndConfirm(
  bytes: Buffer,
  contentType: string,
  declared = contentType,
  side = "page",
  documentType = "identity",
) {
  const started = await start({
    documentType,
    side,
    contentType: declared,
    size: bytes.length,
    fileName: "x.jpg",
  });
  expect(started.status).toBe(201);
  const uploaded = await post(started.body, bytes, declared);
  expect(uploaded.status).toBe(204);
  return { id: started.body.documentId, ...(await confirmIt(started.body.documentId)) };
}

/** A generated passport photo, started and posted as the upload screen does; not confirmed. */
async function uploaded(seed: number) {
  const bytes = await fx.sharpDocument({ seed });
  const started = await start({
    documentType: "identity",
    side: "page",
    contentType: "image/jpeg",
    size: bytes.length,
  });
  expect((await post(started.body, bytes, "image/jpeg")).status).toBe(204);
  return { ...started.body, bytes };
}

const idle = { status: "idle" } as const;
const redirectsTo = (path: string) =>
  expect.objectContaining({ digest: expect.stringContaining(path) });
const recentDay = () => new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10);

/** A form as the trader's browser posts it to a server action. */
function formOf(values: Record<string, string | readonly string[]>): FormData {
  const form = new FormData();
  form.set("window", currentWindowRef());
  for (const [k, v] of Object.entries(values))
    for (const one of typeof v === "string" ? [v] : v) form.append(k, one);
  return form;
}

function filesOnDisk(): string[] {
  const root = path.join(dataDir, "documents");
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? // Operational: half-written uploads, and empty markers of spent upload keys.
          e.name === ".tmp" || e.name === ".spent"
          ? []
          : walk(path.join(dir, e.name))
        : [path.join(dir, e.name)],
    );
  try {
    return walk(root);
  } catch {
    return [];
  }
}

describe("document upload (local driver)", () => {
  it("accepts a photo, stores a re-encoded copy without EXIF under its verified key, records its SHA-256, and shows it accepted", async () => {
    const { kycCase } = await traderSession();
    const result = await uploadAndConfirm(await fx.exifGpsDocument(3), "image/jpeg");
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ documentId: result.id, state: "accepted" });
    const [row] = (await t.db.select().from(documents)).filter((d) => d.id === result.id);
    expect(row).toMatchObject({
      status: "accepted",
      contentType: "image/jpeg",
      caseId: kycCase.id,
      storageKey: expect.stringMatching(
        new RegExp(`^cases/${kycCase.id}/${result.id}\\.verified-[0-9a-f]{16}$`),
      ),
    });
    // What confirm knows; the scores and the perceptual hash come with the checks (analysis.ts).
    expect(row?.quality).toEqual({ sourceType: "image/jpeg", width: 1400, height: 2000 });
    expect(row?.phash).toBeNull();
    // Only the checked copy is left: the object the browser posted was deleted.
    const stored = filesOnDisk().filter((f) => f.includes(result.id) && !f.endsWith(".meta"));
    expect(stored).toEqual([expect.stringMatching(/\.verified-[0-9a-f]{16}$/)]);
    const bytes = await openStored(stored[0]!, kycCase.id, result.id);
    expect(row?.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(row?.sizeBytes).toBe(bytes.length);
    const meta = await sharp(bytes).metadata();
    expect(meta.exif).toBeUndefined();
    const sides = await listSides(
      new Request("https://broker.test/api/inapp/documents?documentType=identity"),
    );
    expect(await sides.json()).toMatchObject({ sides: [{ side: "page", state: "accepted" }] });
    const audit = await t.db.select().from(auditEvents);
    expect(audit.some((a) => a.action === "document.uploaded" && a.caseId === kycCase.id)).toBe(
      true,
    );
  });

  it("accepts an iPhone HEIC (HEVC) and stores our JPEG in its place, without EXIF or GPS", async () => {
    const { kycCase } = await traderSession();
    const heic = fx.heicFixture("upright");
    const result = await uploadAndConfirm(heic, "image/heic");
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ documentId: result.id, state: "accepted" });
    const [row] = (await t.db.select().from(documents)).filter((d) => d.id === result.id);
    expect(row).toMatchObject({ status: "accepted", contentType: "image/jpeg" });
    expect(row?.quality).toMatchObject({ sourceType: "image/heic", width: 1200, height: 840 });
    const stored = await openStored(
      filesOnDisk().find((f) => f.includes(result.id))!,
      kycCase.id,
      result.id,
    );
    expect(row?.sizeBytes).toBe(stored.length);
    expect(stored.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))).toBe(true);
    expect(stored.includes("FixturePhone")).toBe(false);
    const meta = await sharp(stored).metadata();
    expect([meta.format, meta.width, meta.height, meta.exif]).toEqual([
      "jpeg",
      1200,
      840,
      undefined,
    ]);
  });

  it.each([
    ["an executable renamed .jpg", () => fx.elfExecutable(), "image/jpeg", "unsupported_type"],
    [
      "a truncated HEIC",
      () => fx.heicFixture("upright").subarray(0, 60_000),
      "image/heic",
      "corrupt",
    ],
    ["a JPEG/HTML polyglot is cleaned or refused, never stored as sent", null, "", ""],
    ["an SVG declared as PNG", () => fx.svgWithScript(), "image/png", "unsupported_type"],
    ["a 100 MP PNG bomb", () => fx.decompressionBombPng(), "image/png", "too_many_pixels"],
    ["a truncated JPEG", () => fx.truncatedJpeg(), "image/jpeg", "corrupt"],
    [
      "a PNG declared as JPEG",
      async () =>
        sharp({ create: { width: 1200, height: 800, channels: 3, background: "#fff" } })
          .png()
          .toBuffer(),
      "image/jpeg",
      "type_mismatch",
    ],
    [
      "a PDF with JavaScript",
      () => fx.pdfWithJavaScript(),
      "application/pdf",
      "pdf_active_content",
    ],
    ["an encrypted PDF", () => fx.encryptedPdf(), "application/pdf", "pdf_encrypted"],
  ] as const)(
    "refuses %s with its reason and leaves no row and no file",
    async (_name, make, type, reason) => {
      if (!make) return;
      await traderSession();
      const before = filesOnDisk().length;
      const result = await uploadAndConfirm(await make(), type);
      // The bytes were read and refused: 422, except a file that is no accepted type at all.
      expect(result.status).toBe(reason === "unsupported_type" ? 415 : 422);
      expect(result.body).toMatchObject({ reason });
      expect((await t.db.select().from(documents)).some((d) => d.id === result.id)).toBe(false);
      expect(filesOnDisk()).toHaveLength(before);
    },
  );

  it("stores a polyglot only as clean re-encoded pixels", async () => {
    const { kycCase } = await traderSession();
    const result = await uploadAndConfirm(await fx.jpegHtmlPolyglot(), "image/jpeg");
    if (result.status === 200) {
      const stored = filesOnDisk().find((f) => f.includes(result.id))!;
      const bytes = await openStored(stored, kycCase.id, result.id);
      expect(bytes.includes(Buffer.from(fx.HTML_PAYLOAD))).toBe(false);
    } else {
      expect(result.status).toBe(422);
    }
  });

  it("refuses bad requests before issuing a URL: zero bytes, 11 MB, a foreign type, a bad side, garbage", async () => {
    await traderSession();
    expect(
      (await start({ documentType: "identity", side: "page", contentType: "image/jpeg", size: 0 }))
        .body.reason,
    ).toBe("empty");
    expect(
      (
        await start({
          documentType: "identity",
          side: "page",
          contentType: "image/jpeg",
          size: 11 * 1024 * 1024,
        })
      ).status,
    ).toBe(413);
    expect(
      (
        await start({
          documentType: "identity",
          side: "page",
          contentType: "image/svg+xml",
          size: 10,
        })
      ).status,
    ).toBe(415);
    expect(
      (await start({ documentType: "address", side: "back", contentType: "image/jpeg", size: 10 }))
        .status,
    ).toBe(400);
    expect(
      (await start({ documentType: "selfie", side: "page", contentType: "image/jpeg", size: 10 }))
        .status,
    ).toBe(400);
    const garbage = await startUpload(
      new Request("https://broker.test/api/inapp/documents", {
        method: "POST",
        headers: {
          host: "broker.test",
          "content-type": "application/json",
          "x-kyc-window": currentWindowRef(),
        },
        body: "{{{",
      }),
    );
    expect(garbage.status).toBe(400);
    const crossSite = await startUpload(
      json({ documentType: "identity" }, { origin: "https://evil.example" }),
    );
    expect(crossSite.status).toBe(403);
  });

  it("refuses bodies a cross-site form can send without a preflight: text/plain, form, multipart, or no type", async () => {
    await traderSession();
    const body = JSON.stringify({
      documentType: "identity",
      side: "page",
      contentType: "image/jpeg",
      size: 10,
    });
    const form = new FormData();
    form.set(body, "");
    for (const [type, sent] of [
      ["text/plain;charset=UTF-8", body],
      ["application/x-www-form-urlencoded", `${body}=`],
      [undefined, form],
      [undefined, new Blob([body])],
    ] as const) {
      // From the trader's own window (the reference right): the body's type alone is refused.
      const own = { host: "broker.test", "x-kyc-window": currentWindowRef() };
      const request = new Request("https://broker.test/api/inapp/documents", {
        method: "POST",
        headers: type ? { ...own, "content-type": type } : own,
        body: sent,
      });
      const response = await startUpload(request);
      expect(response.status).toBe(415);
    }
    const { documentId } = (
      await start({ documentType: "identity", side: "page", contentType: "image/jpeg", size: 10 })
    ).body;
    const confirmAsForm = await confirm(
      new Request(`https://broker.test/api/inapp/documents/${documentId}/confirm`, {
        method: "POST",
        headers: {
          host: "broker.test",
          "content-type": "application/x-www-form-urlencoded",
          "x-kyc-window": currentWindowRef(),
        },
        body: "a=b",
      }),
      { params: Promise.resolve({ id: documentId }) },
    );
    expect(confirmAsForm.status).toBe(415);
  });

  it("compares Origin with PUBLIC_BASE_URL, never with X-Forwarded-Host", async () => {
    await traderSession();
    const body = { documentType: "identity", side: "page", contentType: "image/jpeg", size: 10 };
    const spoofed = await startUpload(
      json(body, { origin: "https://evil.example", "x-forwarded-host": "evil.example" }),
    );
    expect(spoofed.status).toBe(403);
    setTestEnv({
      DATA_DIR: dataDir,
      UPLOAD_MAX_FILES_PER_CASE: "6",
      PUBLIC_BASE_URL: "https://kyc.broker.test",
    });
    try {
      const viaHost = await startUpload(json(body, { origin: "https://broker.test" }));
      expect(viaHost.status).toBe(403);
      const own = await startUpload(json(body, { origin: "https://kyc.broker.test" }));
      expect(own.status).toBe(201);
    } finally {
      setTestEnv({ DATA_DIR: dataDir, UPLOAD_MAX_FILES_PER_CASE: "6" });
    }
  });

  it("an upload of one case cannot be confirmed from another case's session", async () => {
    await traderSession();
    const { documentId } = await uploaded(9);
    await traderSession(); // another trader
    expect((await confirmIt(documentId)).status).toBe(404);
    expect((await confirmIt("not-a-uuid")).status).toBe(404);
  });

  it("a replayed confirm answers the first verdict and changes nothing; a replayed upload is refused", async () => {
    await traderSession();
    const started = await uploaded(5);
    const first = await confirmIt(started.documentId);
    const again = await confirmIt(started.documentId);
    expect(again).toEqual(first);
    expect((await post(started, started.bytes, "image/jpeg")).status).toBe(409);
    // Replaced by a later upload of the same side, it was still accepted when it was confirmed.
    const replacing = await uploaded(6);
    expect((await confirmIt(replacing.documentId)).status).toBe(200);
    expect(await confirmIt(started.documentId)).toEqual(first);
  });

  it("a confirm before the upload says so and keeps the slot; after the URL expired, it is gone", async () => {
    await traderSession();
    const started = await start({
      documentType: "identity",
      side: "page",
      contentType: "image/jpeg",
      size: 1000,
    });
    expect((await confirmIt(started.body.documentId)).body).toMatchObject({
      reason: "not_uploaded",
    });
    const { confirmUpload } = await import("@/lib/documents/service");
    const { getScreenContext } = await import("@/lib/inapp/screen-context");
    const context = (await getScreenContext())!;
    const late = new Date(Date.now() + 10 * 60_000);
    expect(
      await confirmUpload(context.kycCase!, context.trader.id, started.body.documentId, late),
    ).toMatchObject({
      ok: false,
      reason: "expired",
    });
    // The row waits for the purge: an upload may still be arriving under its key.
    const { purgeAbandonedUploads } = await import("@/lib/documents/service");
    const present = async () =>
      (await t.db.select().from(documents)).some((d) => d.id === started.body.documentId);
    expect(await present()).toBe(true);
    await purgeAbandonedUploads(new Date(Date.now() + 30 * 60_000));
    expect(await present()).toBe(false);
  });

  it("enforces the per-case file limit and refuses once the case was submitted", async () => {
    const { trader, kycCase } = await traderSession();
    // The trader completes the case as the screens do: the three forms, the passport page and
    // the bill, each accepted. Those two files count against the limit of six.
    for (const [step, values] of [
      ["personal", PERSONAL],
      ["identity_document", IDENTITY],
      ["proof_of_address", { addressDocumentKind: "utility_bill", issueDate: recentDay() }],
    ] as const)
      await expect(continueStep(idle, formOf({ step, ...values }))).rejects.toEqual(
        redirectsTo("/inapp/kyc"),
      );
    for (const [seed, documentType] of [
      [11, "identity"],
      [12, "address"],
    ] as const) {
      const bytes = await fx.sharpDocument({ seed });
      const done = await uploadAndConfirm(bytes, "image/jpeg", "image/jpeg", "page", documentType);
      expect(done.body).toMatchObject({ state: "accepted" });
    }
    for (let i = 0; i < 4; i++)
      expect(
        (
          await start({
            documentType: "identity",
            side: "front",
            contentType: "image/jpeg",
            size: 10,
          })
        ).status,
      ).toBe(201);
    expect(
      (await start({ documentType: "identity", side: "back", contentType: "image/jpeg", size: 10 }))
        .body.reason,
    ).toBe("too_many_files");
    // The four starts were abandoned: once their forms expired (5 minutes, and the minute a
    // confirm still gets), they no longer take a file's place, though the purge waits longer.
    const { startUpload } = await import("@/lib/documents/service");
    const { getScreenContext } = await import("@/lib/inapp/screen-context");
    const context = (await getScreenContext())!;
    const back: StartUploadRequest = {
      documentType: "identity",
      side: "back",
      contentType: "image/jpeg",
      size: 10,
    };
    const after = (minutes: number) => new Date(Date.now() + minutes * 60_000);
    expect(await startUpload(context.kycCase!, back, after(5))).toMatchObject({
      ok: false,
      reason: "too_many_files",
    });
    expect(await startUpload(context.kycCase!, back, after(7))).toMatchObject({
      ok: true,
    });
    await traderSession();
    const other = (await t.db.select().from(documents)).length;
    expect(other).toBeGreaterThan(0);
    setTraderCookie((await openSession(trader.id, kycCase.id)).id);
    await expect(submitCaseAction(idle, formOf({ declaration: "yes" }))).rejects.toEqual(
      redirectsTo("/inapp/kyc/status"),
    );
    expect(
      (await start({ documentType: "identity", side: "back", contentType: "image/jpeg", size: 10 }))
        .body.reason,
    ).toBe("not_editable");
  });

  it("counts uploads retired on their way (a new kind of document) until they can no longer arrive", async () => {
    await traderSession();
    const choose = (documentKind: string, documentNumber: string) =>
      expect(
        continueStep(
          idle,
          formOf({ step: "identity_document", ...IDENTITY, documentKind, documentNumber }),
        ),
      ).rejects.toEqual(redirectsTo("/inapp/kyc"));
    await expect(continueStep(idle, formOf({ step: "personal", ...PERSONAL }))).rejects.toEqual(
      redirectsTo("/inapp/kyc"),
    );
    await choose("id_card", "ID5550001");
    const front = { documentType: "identity", side: "front", contentType: "image/jpeg", size: 10 };
    for (let i = 0; i < 6; i++) expect((await start(front)).status).toBe(201);
    expect((await start(front)).body.reason).toBe("too_many_files");
    // Another kind retires the six on their way, but each may still arrive and be stored.
    await choose("driving_licence", "DL5550001");
    expect((await start(front)).body.reason).toBe("too_many_files");
  });

  it("holds the file limit when 20 starts race on one case", async () => {
    const { kycCase } = await traderSession();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        start({
          documentType: "identity",
          side: i % 2 ? "front" : "back",
          contentType: "image/jpeg",
          size: 10,
        }),
      ),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(6);
    expect(answers.filter((a) => a.body.reason === "too_many_files")).toHaveLength(14);
    const rows = (await t.db.select().from(documents)).filter((d) => d.caseId === kycCase.id);
    expect(rows).toHaveLength(6);
  });

  it("counts refused files against the limit, so a loop of hostile files stops there", async () => {
    const { kycCase } = await traderSession();
    const hostile = fx.elfExecutable();
    for (let i = 0; i < 6; i++) {
      const refused = await uploadAndConfirm(hostile, "image/jpeg");
      expect(refused.body).toMatchObject({ reason: "unsupported_type" });
    }
    expect(
      (await t.db.select().from(documents)).filter((d) => d.caseId === kycCase.id),
    ).toHaveLength(0);
    const refusals = (await t.db.select().from(auditEvents)).filter(
      (e) => e.caseId === kycCase.id && e.action === "document.refused",
    );
    expect(refusals).toHaveLength(6);
    expect(
      (await start({ documentType: "identity", side: "page", contentType: "image/jpeg", size: 9 }))
        .body.reason,
    ).toBe("too_many_files");
  });

  it("does not count replaced files: a trader asked again and again can still upload", async () => {
    await traderSession();
    const photo = await fx.sharpDocument({ seed: 40, width: 1000, height: 700 });
    for (let i = 0; i < 7; i++)
      expect((await uploadAndConfirm(photo, "image/jpeg")).body).toMatchObject({
        state: "accepted",
      });
  });

  it("answers in the shapes of the upload contract the upload screen parses, refusals with a reason from its list", async () => {
    await traderSession();
    const bytes = await fx.sharpDocument({ seed: 23 });
    const started = await start({
      documentType: "identity",
      side: "page",
      contentType: "image/jpeg",
      size: bytes.length,
    });
    expect(startUploadResponse.safeParse(started.body).success).toBe(true);
    const early = await confirmIt(started.body.documentId);
    expect(early.status).toBe(409);
    expect(refusalResponse.parse(early.body).reason).toBe("not_uploaded");
    await post(started.body, bytes, "image/jpeg");
    expect(confirmUploadResponse.parse((await confirmIt(started.body.documentId)).body)).toEqual({
      documentId: started.body.documentId,
      state: "accepted",
    });
    const sides = await listSides(
      new Request("https://broker.test/api/inapp/documents?documentType=identity"),
    );
    expect(documentSidesResponse.parse(await sides.json()).sides).toEqual([
      { side: "page", state: "accepted", reason: null },
    ]);
    const unknownType = await listSides(
      new Request("https://broker.test/api/inapp/documents?documentType=passport_scan"),
    );
    expect(unknownType.status).toBe(400);
    for (const refused of [
      await start({ documentType: "identity", side: "page", contentType: "image/jpeg", size: 0 }),
      await start({ documentType: "address", side: "front", contentType: "image/jpeg", size: 9 }),
    ]) {
      const { reason } = refusalResponse.parse(refused.body);
      expect(UPLOAD_REFUSALS).toContain(reason);
    }
  });

  it("refuses a body it cannot read (not JSON, larger than any start request, untyped) with a reason from the contract", async () => {
    await traderSession();
    const raw = (body: string, type: string | null = "application/json") =>
      startUpload(
        new Request("https://broker.test/api/inapp/documents", {
          method: "POST",
          headers: {
            host: "broker.test",
            "x-kyc-window": currentWindowRef(),
            ...(type && { "content-type": type }),
          },
          body,
        }),
      );
    const oversized = JSON.stringify({
      documentType: "identity",
      side: "page",
      contentType: "image/jpeg",
      size: 10,
      fileName: "x".repeat(20_000),
    });
    for (const [response, status, expected] of [
      [await raw("{not json"), 400, "bad_request"],
      // Only an identity photo names a kind of identity document.
      [
        await raw(
          JSON.stringify({
            documentType: "address",
            side: "page",
            contentType: "image/jpeg",
            size: 10,
            identityKind: "passport",
          }),
        ),
        400,
        "bad_request",
      ],
      // The body is over the limit, not the file: the screen words `too_large` as a big file.
      [await raw(oversized), 413, "request_too_large"],
      [await raw("{}", null), 415, "unsupported_media_type"],
    ] as const) {
      expect(response.status).toBe(status);
      const { reason } = refusalResponse.parse(await response.json());
      expect([...UPLOAD_REFUSALS, ...SESSION_REFUSALS]).toContain(reason);
      expect(reason).toBe(expected);
    }
    // The trader API's other routes read bodies with the same reader and keep the same contract.
    const handoff = await createHandoff(
      new Request("https://broker.test/api/inapp/handoff", {
        method: "POST",
        headers: {
          host: "broker.test",
          "content-type": "application/json",
          "x-kyc-window": currentWindowRef(),
        },
        body: "{not json",
      }),
    );
    expect(handoff.status).toBe(400);
    expect(refusalResponse.parse(await handoff.json()).reason).toBe("bad_request");
  });

  it("takes a file of any name length the browser sends: a long name is kept cut short, its extension kept", async () => {
    const { kycCase } = await traderSession();
    const cipher = await caseCipher(kycCase.id);
    const storedName = async (documentId: string) => {
      const [row] = (await t.db.select().from(documents)).filter((d) => d.id === documentId);
      return row?.originalName ? cipher.decrypt(row.originalName) : null;
    };
    // ext4 and NTFS allow 255 characters; macOS and a phone's share sheet can hand over more
    // (255 UTF-16 units, or a name built from a page title), and emoji take two units each.
    for (const name of [
      `${"a".repeat(248)}.jpg`,
      `${"b".repeat(251)}.jpg`,
      `${"c".repeat(252)}.jpg`,
      `${"d".repeat(1_000)}.jpeg`,
      `${"😀".repeat(200)}.png`,
    ]) {
      const started = await start({
        documentType: "additional",
        side: "page",
        contentType: "image/jpeg",
        size: 10,
        fileName: name,
      });
      expect({ length: name.length, status: started.status }).toEqual({
        length: name.length,
        status: 201,
      });
      const kept = (await storedName(started.body.documentId))!;
      expect(kept.length).toBeLessThanOrEqual(255);
      expect(name.startsWith(kept.slice(0, kept.lastIndexOf(".")))).toBe(true);
      expect(kept.slice(kept.lastIndexOf("."))).toBe(name.slice(name.lastIndexOf(".")));
      // Never half an emoji: the name stays valid text.
      expect(kept).toBe(kept.toWellFormed());
      if (name.length <= 255) expect(kept).toBe(name);
    }
  });

  it("a newer upload of the same side replaces the older one, which is kept as history", async () => {
    const { kycCase } = await traderSession();
    const first = await uploadAndConfirm(await fx.sharpDocument({ seed: 21 }), "image/jpeg");
    const second = await uploadAndConfirm(await fx.sharpDocument({ seed: 22 }), "image/jpeg");
    const rows = (await t.db.select().from(documents)).filter((d) => d.caseId === kycCase.id);
    expect(rows.find((r) => r.id === first.id)?.replacedAt).not.toBeNull();
    expect(rows.find((r) => r.id === second.id)?.replacedAt).toBeNull();
  });
});
