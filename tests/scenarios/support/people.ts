/**
 * The people of a scenario: a trader in cTrader's embedded browser and compliance staff in the
 * console. Each acts only through the app's entry points (the launch URL, server actions, route
 * handlers) and sees only what the app renders.
 */
import { proxy } from "@/proxy";
import {
  continueStep,
  renewCaseAction,
  retryCaseAction,
  submitCaseAction,
} from "@/app/inapp/kyc/actions";
import KycPage from "@/app/inapp/kyc/page";
import StatusPage from "@/app/inapp/kyc/status/page";
import UploadPage from "@/app/inapp/kyc/upload/page";
import { GET as statusApi } from "@/app/api/inapp/status/route";
import { GET as listSides, POST as startUpload } from "@/app/api/inapp/documents/route";
import { POST as confirmUpload } from "@/app/api/inapp/documents/[id]/confirm/route";
import { POST as startSelfieChallenge } from "@/app/api/inapp/selfie/challenge/route";
import { POST as uploadLocal } from "@/app/api/uploads/local/route";
import {
  approveAction,
  bulkClaimAction,
  claimAction,
  nextCaseAction,
  codeAction,
  erasureRequestAction,
  periodicReviewAction,
  keepApprovalAction,
  closeMonitoringTaskAction,
  legalHoldAction,
  relationshipEndAction,
  loginAction,
  rejectAction,
  reopenAction,
  replayDeadAction,
  replayEventAction,
  requestAction,
  resumeReviewAction,
  retryChecksAction,
  screeningHitAction,
  takeOverAction,
  assignAction,
  changeRoleAction,
  disableStaffAction,
} from "@/app/admin/actions";
import CasePage from "@/app/admin/cases/[id]/page";
import QueuePage from "@/app/admin/page";
import DeliveriesPage from "@/app/admin/deliveries/page";
import DashboardPage from "@/app/admin/dashboard/page";
import { GET as exportDashboard } from "@/app/admin/dashboard/export/route";
import RetentionPage from "@/app/admin/retention/page";
import { GET as exportTraderData } from "@/app/admin/traders/[id]/export/route";
import EnrolPage from "@/app/admin/login/enrol/page";
import AccountPage from "@/app/admin/account/page";
import StaffAccountsPage from "@/app/admin/staff/page";
import LoginPage from "@/app/admin/login/page";
import AdminLayout from "@/app/admin/layout";
import { chooseLanguageAction } from "@/app/admin/language-actions";
import { GET as exportEvidence } from "@/app/admin/cases/[id]/export/route";
import AuditPage from "@/app/admin/audit/page";
import { verifyChainAction } from "@/app/admin/audit/actions";
import { GET as exportAuditLog } from "@/app/admin/audit/export/route";
import { GET as vendorReport } from "@/app/admin/cases/[id]/vendor-report/route";
import { GET as openDocument } from "@/app/admin/documents/[id]/route";
import { POST as startVendor } from "@/app/api/inapp/vendor/route";
import { POST as finishVendor } from "@/app/api/inapp/vendor/done/route";
import { POST as closeBeacon } from "@/app/api/inapp/close/route";
import { getLatestCaseForTrader } from "@/lib/db/queries/cases";
import { getTraderWithOpenCase } from "@/lib/db/queries/traders";
import type { KycCase } from "@/lib/db/schema";
import { ENHANCED_OWN_STEPS, IDENTITY, PERSONAL } from "../../fixtures/kyc-values";
import { createElement } from "react";
import sharp from "sharp";
import { documentRaw } from "../../fixtures/documents/make-fixtures";
import { Authenticator, secretFromEnrolmentPage } from "../../helpers/authenticator";
import { postAutosave, type AutosaveReply } from "../../helpers/autosave";
import { hiddenFieldsOf, renderPage, textOf } from "../../helpers/render-page";
import { ownJar } from "../../helpers/request-scope";
import { BROKER, Browser, outcomeOf, screenRequest, type World } from "./world";

/** The sign-in reference a trader page wrote (a form's hidden field, or the upload screen's). */
function windowRefIn(html: string): string | undefined {
  return /name="window" value="([^"]+)"/.exec(html)?.[1] ?? /data-window="([^"]+)"/.exec(html)?.[1];
}

const idle = { status: "idle" } as const;

function formOf(values: Record<string, string | string[]>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(values))
    for (const one of Array.isArray(v) ? v : [v]) f.append(k, one);
  return f;
}

export const ADDRESS = () => ({
  addressDocumentKind: "utility_bill",
  issueDate: new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10),
});

let photoSeed = 1;
/**
 * A sharp, well-lit document photo no other trader has: the generated documents share a layout,
 * so each gets its own pattern of lighter and darker patches (the checks compare perceptual
 * hashes across traders and would rightly call two of the same layout one photo).
 */
let layout: ReturnType<typeof documentRaw> | undefined;
export async function freshPhoto(): Promise<Buffer> {
  const seed = 10_000 + photoSeed++;
  layout ??= documentRaw({ width: 1200, height: 800, seed: 7 });
  const { width, height, data } = layout;
  let state = seed * 2654435761;
  const next = () => ((state = (state * 1103515245 + 12345) >>> 0) % 1000) / 1000;
  const offsets = Array.from({ length: 64 }, () => Math.round((next() - 0.5) * 70));
  // Each 8x8 patch's shift of every value, kept within 30..235, as one table: the loop below then
  // calls nothing per pixel (Math calls there cost seconds per photo inside jest's sandbox).
  const shifted = new Uint8Array(64 * 256);
  for (let patch = 0; patch < 64; patch++)
    for (let v = 0; v < 256; v++)
      shifted[patch * 256 + v] = Math.max(30, Math.min(235, v + offsets[patch]!));
  const column = new Uint16Array(width);
  for (let x = 0; x < width; x++) column[x] = Math.floor((x / width) * 8) * 256;
  const out = Buffer.alloc(data.length);
  for (let y = 0; y < height; y++) {
    const row = Math.floor((y / height) * 8) * 8 * 256;
    for (let x = 0, i = y * width * 3; x < width; x++, i += 3) {
      const patch = row + column[x]!;
      out[i] = shifted[patch + data[i]!]!;
      out[i + 1] = shifted[patch + data[i + 1]!]!;
      out[i + 2] = shifted[patch + data[i + 2]!]!;
    }
  }
  return sharp(out, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 88 })
    .toBuffer();
}

let documentNumber = 100_000 + Math.floor(Math.random() * 800_000);

export type UploadResult = { status: number; body: Record<string, unknown> };

export class Trader extends Browser {
  readonly userId: number;
  private readonly world: World;
  /**
   * The window's sign-in reference, as the page it shows wrote it (lib/inapp/window.ts): what its
   * forms and requests carry. A launch opens a new page; a page read again (`sees`, `html`,
   * `uploadScreen`) is this window reloaded and takes what that page says.
   */
  private window: string | undefined;

  constructor(world: World, userId: number, locale = "en") {
    super();
    this.world = world;
    this.userId = userId;
    this.locale = locale;
  }

  get tradingLogin(): number {
    return 7_000_000 + this.userId;
  }

  /** cTrader opens a screen with a fresh one-time token; answers where the 303 sent the browser. */
  async launch(
    screen: "kyc" | "status" | "upload" = "kyc",
    query: Record<string, string> = {},
  ): Promise<string> {
    const token = this.world.issueToken(this.userId);
    const params = new URLSearchParams({ token, lang: this.locale, source: "iOS", ...query });
    const pathname = screen === "kyc" ? "/inapp/kyc" : `/inapp/kyc/${screen}`;
    const response = await proxy(screenRequest(`${pathname}?${params.toString()}`));
    if (response.status !== 303) throw new Error(`launch answered ${response.status}`);
    const set = response.headers.get("set-cookie") ?? "";
    const cookie = /^(__Host-kyc_session)=([^;]+)/.exec(set);
    if (cookie?.[1] && cookie[2]) this.cookies.set(cookie[1], cookie[2]);
    this.window = undefined;
    const location = new URL(response.headers.get("location") ?? "/", BROKER);
    return location.pathname + location.search;
  }

  /**
   * The reference this window's page carries. Not read yet since the launch: the page the trader
   * acts on (the step's form, the document's upload screen), else the overview or an upload screen
   * that has one.
   */
  async windowRef(
    page: { step?: string; documentType?: string; status?: true } = {},
  ): Promise<string> {
    const pages = [
      ...(page.status ? [() => StatusPage({ searchParams: Promise.resolve({}) })] : []),
      ...(page.step
        ? [() => KycPage({ searchParams: Promise.resolve({ step: page.step! }) })]
        : []),
      ...(page.documentType
        ? [
            () =>
              UploadPage({ searchParams: Promise.resolve({ documentType: page.documentType! }) }),
          ]
        : []),
      () => KycPage({ searchParams: Promise.resolve({}) }),
      ...(["identity", "address", "additional"] as const).map(
        (documentType) => () => UploadPage({ searchParams: Promise.resolve({ documentType }) }),
      ),
    ];
    // Inside a request of this browser (the jar is already its own), or as one of its own.
    const read = async () => {
      for (const render of pages) {
        const ref = windowRefIn(await renderPage(render()));
        if (ref) return ref;
      }
      return "";
    };
    // A page with nothing to send (a sent case's overview) has no reference: read it again later.
    this.window ||= ownJar.getStore() ? await read() : await this.act(read);
    return this.window;
  }

  /** This window's page read again (a reload): from now on it carries what that page says. */
  private reloaded(html: string): string {
    const ref = windowRefIn(html);
    if (ref) this.window = ref;
    return html;
  }

  /** "Save and continue" on a step's form (`draftVersion`: the version the form was rendered with). */
  async continue(step: string, values: Record<string, string | string[]>, draftVersion?: number) {
    const window = await this.windowRef({ step });
    const version: Record<string, string> =
      draftVersion === undefined ? {} : { draftVersion: String(draftVersion) };
    return this.act(() =>
      outcomeOf(continueStep(idle, formOf({ step, ...values, ...version, window }))),
    );
  }

  /**
   * The form's autosave as its script sends it (the form's fields, the draft version the form was
   * rendered with): the HTTP status and the JSON answer, a refusal's `reason` included.
   */
  async autosave(
    step: string,
    values: Record<string, string | string[]>,
    draftVersion: number,
  ): Promise<AutosaveReply> {
    const window = await this.windowRef({ step });
    return this.act(() =>
      postAutosave(formOf({ step, ...values, draftVersion: String(draftVersion), window })),
    );
  }

  /** "Save and continue" on each step in order; a step that does not go on throws, naming it. */
  async continueEach(steps: Iterable<readonly [string, Record<string, string | string[]>]>) {
    for (const [step, values] of steps) {
      const answered = await this.continue(step, values);
      if (!("redirect" in answered) || answered.redirect !== "/inapp/kyc")
        throw new Error(`${step}: ${JSON.stringify(answered)}`);
    }
  }

  /** Fills every form of the standard level with valid answers (a passport as identity). */
  async fillStandardForms(
    personal: Partial<typeof PERSONAL> = {},
    identity: Partial<typeof IDENTITY> = {},
  ): Promise<void> {
    await this.continue("personal", { ...PERSONAL, ...personal });
    await this.continue("identity_document", {
      ...IDENTITY,
      documentNumber: `P${documentNumber++}`,
      ...identity,
    });
    await this.continue("proof_of_address", ADDRESS());
  }

  private async request(
    url: string,
    init: RequestInit & { json?: unknown } = {},
    page: { documentType?: string } = {},
  ): Promise<Request> {
    const headers = new Headers(init.headers);
    const window = await this.windowRef(page);
    if (window) headers.set("x-kyc-window", window);
    headers.set("host", "broker.test");
    headers.set("origin", BROKER);
    headers.set("sec-fetch-site", "same-origin");
    if (init.json !== undefined) headers.set("content-type", "application/json");
    return new Request(new URL(url, BROKER), {
      method: init.method ?? "GET",
      headers,
      body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
    });
  }

  /** The selfie screen asks for an attempt: the prompts in the order the server drew. */
  async selfieChallenge(): Promise<UploadResult> {
    return this.act(async () => {
      const response = await startSelfieChallenge(
        await this.request(
          "/api/inapp/selfie/challenge",
          { method: "POST" },
          { documentType: "selfie" },
        ),
      );
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    });
  }

  /** The selfie screen's upload of one frame: the same start, storage POST and confirm. */
  async uploadSelfieFrame(
    challengeId: string,
    side: "frame_1" | "frame_2" | "frame_3",
    file: Buffer,
  ): Promise<UploadResult & { documentId?: string }> {
    const started = await this.beginSelfieFrame(challengeId, side, file);
    if (started.status !== 201) return { status: started.status, body: started.body };
    const posted = await postToStorage(started.body, file, "image/jpeg");
    if (posted.status >= 300) return { status: posted.status, body: { stage: "storage" } };
    const confirmed = await this.confirm(started.body.documentId);
    return { ...confirmed, documentId: started.body.documentId };
  }

  /** The selfie screen asks for an upload form for one prompt's burst (not yet sent). */
  beginSelfieFrame(
    challengeId: string,
    side: "frame_1" | "frame_2" | "frame_3",
    file: Buffer,
  ): Promise<{ status: number; body: StartedUpload }> {
    return this.act(async () => {
      const response = await startUpload(
        await this.request("/api/inapp/documents", {
          method: "POST",
          json: {
            documentType: "selfie",
            side,
            contentType: "image/jpeg",
            size: file.length,
            challengeId,
          },
        }),
      );
      return { status: response.status, body: (await response.json()) as StartedUpload };
    });
  }

  /** What the upload screen does: ask for a form, post the file to storage, confirm. */
  async upload(
    documentType: "identity" | "address" | "additional",
    side: "page" | "front" | "back" = "page",
    bytes?: Buffer,
    contentType = "image/jpeg",
  ): Promise<UploadResult & { documentId?: string; form?: StartedUpload }> {
    const file = bytes ?? (await freshPhoto());
    const started = await this.beginUpload(documentType, side, file.length, contentType);
    if (started.status !== 201) return { status: started.status, body: started.body };
    const form = started.body as StartedUpload;
    const posted = await postToStorage(form, file, contentType);
    if (posted.status >= 300) return { status: posted.status, body: { stage: "storage" } };
    const confirmed = await this.confirm(form.documentId);
    return { ...confirmed, documentId: form.documentId, form };
  }

  /** The upload screen asks where to post a file (the signed form). */
  async beginUpload(
    documentType: "identity" | "address" | "additional",
    side: "page" | "front" | "back",
    size: number,
    contentType = "image/jpeg",
    /** What the screen showed when the file was chosen (an identity photo names its kind). */
    shown: { identityKind?: string | null } = {},
  ): Promise<{ status: number; body: StartedUpload | Record<string, unknown> }> {
    return this.act(async () => {
      const started = await startUpload(
        await this.request(
          "/api/inapp/documents",
          {
            method: "POST",
            json: { documentType, side, contentType, size, fileName: "photo.jpg", ...shown },
          },
          { documentType },
        ),
      );
      return { status: started.status, body: (await started.json()) as StartedUpload };
    });
  }

  /** The confirm call alone (the upload screen sends it after the storage POST). */
  async confirm(documentId: string): Promise<UploadResult> {
    return this.act(async () => {
      const response = await confirmUpload(
        await this.request(`/api/inapp/documents/${documentId}/confirm`, { method: "POST" }),
        { params: Promise.resolve({ id: documentId }) },
      );
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    });
  }

  /** What the upload screen polls: the state of each side of one document type. */
  async sides(
    documentType: "identity" | "address" | "additional" | "selfie",
  ): Promise<{ side: string; state: string }[]> {
    return (await this.sidesAnswer(documentType)).sides;
  }

  /** The upload screen's whole answer about its sides (GET /api/inapp/documents). */
  async sidesAnswer(
    documentType: "identity" | "address" | "additional" | "selfie",
  ): Promise<{ sides: { side: string; state: string }[]; identityKind: string | null }> {
    return this.act(async () => {
      const response = await listSides(
        await this.request(
          `/api/inapp/documents?documentType=${documentType}`,
          {},
          { documentType },
        ),
      );
      return (await response.json()) as {
        sides: { side: string; state: string }[];
        identityKind: string | null;
      };
    });
  }

  /** The upload screen of one document type, as the trader's browser renders it (HTML). */
  uploadScreen(documentType: "identity" | "address" | "additional" | "selfie"): Promise<string> {
    return this.act(async () =>
      this.reloaded(
        await renderPage(UploadPage({ searchParams: Promise.resolve({ documentType }) })),
      ),
    );
  }

  async uploadStandardDocuments(): Promise<void> {
    for (const type of ["identity", "address"] as const) {
      const result = await this.upload(type);
      if (result.status !== 200) throw new Error(`${type}: ${JSON.stringify(result)}`);
    }
  }

  /** The upload screen's vendor step: starts the vendor's verification (an SDK token back). */
  async startVendorStep(): Promise<UploadResult> {
    return this.act(async () => {
      const response = await startVendor(
        await this.request("/api/inapp/vendor", { method: "POST", json: {} }),
      );
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    });
  }

  /** The vendor's SDK reported the capture finished; the screen tells us. */
  async finishVendorStep(): Promise<UploadResult> {
    return this.act(async () => {
      const response = await finishVendor(
        await this.request("/api/inapp/vendor/done", { method: "POST", json: {} }),
      );
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    });
  }

  /**
   * The close control: its beacon (a url-encoded `window` field: sendBeacon sends no headers of
   * its own) ends the sign-in this window's page was rendered for. Answers the beacon's status.
   */
  async close(): Promise<number> {
    const window = await this.windowRef();
    return this.act(async () => {
      const response = await closeBeacon(
        new Request(new URL("/api/inapp/close", BROKER), {
          method: "POST",
          headers: {
            host: "broker.test",
            origin: BROKER,
            "sec-fetch-site": "same-origin",
            "content-type": "application/x-www-form-urlencoded;charset=UTF-8",
          },
          body: new URLSearchParams({ window }),
        }),
      );
      return response.status;
    });
  }

  /** The final submit with the declaration ticked. */
  async submit() {
    const window = await this.windowRef();
    return this.act(() =>
      outcomeOf(submitCaseAction(idle, formOf({ declaration: "yes", window }))),
    );
  }

  /** "Try again" after a rejection with a retry reason (the overview's button). */
  async retry() {
    const window = await this.windowRef();
    return this.act(() => outcomeOf(retryCaseAction(idle, formOf({ window }))));
  }

  /** "Renew now" on a renewal notice or an expired verification (the status screen's button). */
  async renew() {
    const window = await this.windowRef({ status: true });
    return this.act(() => outcomeOf(renewCaseAction(idle, formOf({ window }))));
  }

  /** The whole standard level, from launch to submit. */
  async completeStandardLevel(
    personal: Partial<typeof PERSONAL> = {},
    identity: Partial<typeof IDENTITY> = {},
  ): Promise<void> {
    await this.launch("kyc", { kycType: "standard" });
    await this.fillStandardForms(personal, identity);
    await this.uploadStandardDocuments();
    const submitted = await this.submit();
    if (!("redirect" in submitted) || submitted.redirect !== "/inapp/kyc/status")
      throw new Error(`submit: ${JSON.stringify(submitted)}`);
  }

  /**
   * The whole enhanced level, from launch to submit: the standard forms, enhanced's own steps
   * (`answers` replace the default answers of the steps they name), the documents, the additional
   * document.
   */
  async completeEnhancedLevel(
    answers: Readonly<Record<string, Record<string, string | string[]>>> = {},
    personal: Partial<typeof PERSONAL> = {},
    identity: Partial<typeof IDENTITY> = {},
  ): Promise<void> {
    await this.launch("kyc", { kycType: "enhanced" });
    await this.fillStandardForms(personal, identity);
    await this.continueEach(new Map([...ENHANCED_OWN_STEPS, ...Object.entries(answers)]));
    await this.uploadStandardDocuments();
    await this.sendAdditionalDocumentAndSubmit();
  }

  /**
   * A renewal from the status screen's "Renew now" to its submit: a new identity document
   * (`identity` over the fixture's passport) and its upload, nothing else.
   */
  async renewIdentity(identity: Partial<typeof IDENTITY>): Promise<void> {
    await this.launch("status");
    const renewing = await this.renew();
    if (!("redirect" in renewing) || renewing.redirect !== "/inapp/kyc?step=identity_document")
      throw new Error(`renew: ${JSON.stringify(renewing)}`);
    await this.continueEach([["identity_document", { ...IDENTITY, ...identity }]]);
    const uploaded = await this.upload("identity");
    if (uploaded.status !== 200) throw new Error(`identity document: ${uploaded.status}`);
    const submitted = await this.submit();
    if (!("redirect" in submitted) || submitted.redirect !== "/inapp/kyc/status")
      throw new Error(`submit: ${JSON.stringify(submitted)}`);
  }

  /**
   * cTrader asks for the enhanced level of an approved trader: the trader answers the steps it
   * adds (`answers` as for completeEnhancedLevel), uploads the additional document and sends the
   * upgrade.
   */
  async sendEnhancedUpgrade(
    answers: Readonly<Record<string, Record<string, string | string[]>>> = {},
  ): Promise<void> {
    await this.launch("kyc", { kycType: "enhanced" });
    await this.continueEach(new Map([...ENHANCED_OWN_STEPS, ...Object.entries(answers)]));
    await this.sendAdditionalDocumentAndSubmit();
  }

  private async sendAdditionalDocumentAndSubmit(): Promise<void> {
    const uploaded = await this.upload("additional");
    if (uploaded.status !== 200) throw new Error(`additional document: ${uploaded.status}`);
    const submitted = await this.submit();
    if (!("redirect" in submitted) || submitted.redirect !== "/inapp/kyc/status")
      throw new Error(`submit: ${JSON.stringify(submitted)}`);
  }

  /** The text of a screen as the trader's browser renders it. */
  sees(screen: "kyc" | "status", query: Record<string, string> = {}): Promise<string> {
    return this.act(async () =>
      textOf(
        this.reloaded(
          await renderPage(
            screen === "kyc"
              ? KycPage({ searchParams: Promise.resolve(query) })
              : StatusPage({ searchParams: Promise.resolve(query) }),
          ),
        ),
      ),
    );
  }

  /** The HTML of a screen (for data attributes). */
  html(screen: "kyc" | "status", query: Record<string, string> = {}): Promise<string> {
    return this.act(async () =>
      this.reloaded(
        await renderPage(
          screen === "kyc"
            ? KycPage({ searchParams: Promise.resolve(query) })
            : StatusPage({ searchParams: Promise.resolve(query) }),
        ),
      ),
    );
  }

  /** The status the status screen polls. */
  async status(): Promise<string> {
    return this.act(async () => {
      const response = await statusApi(await this.request("/api/inapp/status"));
      return ((await response.json()) as { status: string }).status;
    });
  }

  /** The trader's current case (for ids in assertions; the trader never sees it). */
  async currentCase(): Promise<KycCase> {
    const found = await getTraderWithOpenCase(this.userId);
    if (found?.openCase) return found.openCase;
    const latest = found ? await getLatestCaseForTrader(found.trader.id) : undefined;
    if (!latest) throw new Error("the trader has no case");
    return latest;
  }
}

export type StartedUpload = {
  documentId: string;
  upload: { url: string; fields: Record<string, string> };
};

/** The browser's multipart POST straight to storage (our local route, or the S3 bucket). */
export async function postToStorage(
  started: StartedUpload,
  file: Buffer,
  contentType: string,
): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Object.entries(started.upload.fields)) form.append(k, v);
  form.append("file", new Blob([new Uint8Array(file)], { type: contentType }), "photo.jpg");
  const url = new URL(started.upload.url, BROKER);
  if (url.origin === BROKER) return uploadLocal(new Request(url, { method: "POST", body: form }));
  return fetch(url, { method: "POST", body: form });
}

export type ActionOutcome = { redirect: string } | { value: unknown };

export class Staff extends Browser {
  readonly email: string;
  private readonly password: string;
  /** The officer's authenticator app, once enrolled at the first sign-in. */
  authenticator: Authenticator | undefined;

  constructor(account: { email: string; password: string }) {
    super();
    this.email = account.email;
    this.password = account.password;
  }

  /**
   * The console's login form, then its second step: the enrolment screen (scan the key, type the
   * first code, keep the recovery codes) or the code form.
   */
  async signIn(): Promise<void> {
    const result = await this.act(() =>
      outcomeOf(loginAction({}, formOf({ email: this.email, password: this.password }))),
    );
    const next = "redirect" in result ? result.redirect : "";
    if (next === "/admin") return;
    if (next === "/admin/login/enrol") {
      const html = await this.act(() => renderPage(EnrolPage()));
      this.authenticator = new Authenticator(secretFromEnrolmentPage(html));
      const code = await this.authenticator.nextCode();
      const state = await this.act(() => codeAction({}, formOf({ code: code ?? "" })));
      if (!state.recoveryCodes) throw new Error(`enrolment failed: ${JSON.stringify(state)}`);
      this.authenticator.recoveryCodes = state.recoveryCodes;
      return;
    }
    if (next === "/admin/login/code" && this.authenticator) {
      const code =
        (await this.authenticator.nextCode()) ?? this.authenticator.recoveryCodes.shift() ?? "";
      const second = await this.act(() => outcomeOf(codeAction({}, formOf({ code }))));
      if ("redirect" in second && second.redirect === "/admin") return;
    }
    throw new Error(`sign-in failed: ${JSON.stringify(result)}`);
  }

  /**
   * The sign-in form, then the code form sent twice with the same right code (a double click):
   * both requests carry the half session's cookie, and the second is answered after the first
   * (the late twin). Where each answer sent the browser, in that order.
   */
  async signInWithTwinCodes(): Promise<[string, string]> {
    const result = await this.act(() =>
      outcomeOf(loginAction({}, formOf({ email: this.email, password: this.password }))),
    );
    if (!("redirect" in result) || result.redirect !== "/admin/login/code" || !this.authenticator)
      throw new Error(`no code step: ${JSON.stringify(result)}`);
    const code = (await this.authenticator.nextCode()) ?? "";
    const sent = new Map(this.cookies);
    const twin = async () => {
      const answer = await this.sentWith(sent, () => outcomeOf(codeAction({}, formOf({ code }))));
      return "redirect" in answer ? answer.redirect : JSON.stringify(answer.value);
    };
    const first = await twin();
    return [first, await twin()];
  }

  /** The outcome or error code the console shows after an action (`?outcome=` / `?error=`). */
  private async run(
    action: (form: FormData) => Promise<void>,
    values: Record<string, string | string[]>,
  ): Promise<string> {
    const result = await this.act(() => outcomeOf(action(formOf(values))));
    if (!("redirect" in result)) throw new Error("a console action always redirects");
    const query = new URL(result.redirect, BROKER).searchParams;
    return query.get("outcome") ?? `error:${query.get("error") ?? "?"}`;
  }

  claim = (caseId: string) => this.run(claimAction, { caseId });

  /**
   * The hidden fields of the case page's form with the button `testId`, the page opened with
   * `query` (a queue's row link carries its queue): what the browser sends with that button.
   */
  async caseForm(
    caseId: string,
    testId: string,
    query: Record<string, string> = {},
  ): Promise<Record<string, string>> {
    return hiddenFieldsOf(await this.casePage(caseId, query), testId);
  }

  /** "Claim" sent with a case page's form fields (see caseForm): where the console sent us. */
  async claimWith(fields: Record<string, string>): Promise<URL> {
    const result = await this.act(() => outcomeOf(claimAction(formOf(fields))));
    if (!("redirect" in result)) throw new Error("a console action always redirects");
    return new URL(result.redirect, BROKER);
  }

  /** The queue's "Claim selected" / "Assign selected": where the console sent the officer. */
  async bulkClaim(caseIds: string[], assignee?: string, returnQuery = ""): Promise<URL> {
    const values = { caseId: caseIds, returnQuery, ...(assignee ? { assignee } : {}) };
    const result = await this.act(() => outcomeOf(bulkClaimAction(formOf(values))));
    if (!("redirect" in result)) throw new Error("the bulk claim always redirects");
    return new URL(result.redirect, BROKER);
  }

  /** The queue's "Next case" with the filters of `returnQuery`: the page it opened. */
  async nextCase(returnQuery = ""): Promise<URL> {
    const result = await this.act(() => outcomeOf(nextCaseAction(formOf({ returnQuery }))));
    if (!("redirect" in result)) throw new Error("next case always redirects");
    return new URL(result.redirect, BROKER);
  }
  takeOver = (caseId: string) => this.run(takeOverAction, { caseId });
  /** The case page's "Assign to" (approvers): `assignee` a staff id, "" for nobody. */
  /** The case page's "Assign to" ("": Nobody; undefined: a post without the field). */
  assign = (caseId: string, assignee?: string) =>
    this.run(assignAction, assignee === undefined ? { caseId } : { caseId, assignee });
  /**
   * The case as its page shows it now: the event sequence every action form of the page sends
   * (app/admin/cases/[id]/_sections/case-fields.tsx). A decision is taken on a page.
   */
  async shownOn(caseId: string): Promise<Record<string, string>> {
    const page = await this.casePage(caseId);
    const seq = /<input type="hidden" name="shownSeq" value="([^"]*)"/.exec(page)?.[1];
    return seq === undefined ? {} : { shownSeq: seq };
  }

  /**
   * "Approve", then "Yes, confirm" in the dialog (which adds `confirmed=yes`), on the page as it
   * is now, or as an earlier reading of it showed the case (`shown`, from shownOn).
   */
  approve = async (caseId: string, confirmed = true, shown?: Record<string, string>) =>
    this.run(approveAction, {
      caseId,
      ...(shown ?? (await this.shownOn(caseId))),
      ...(confirmed && { confirmed: "yes" }),
    });
  /** "Reject" with a reason, then "Yes, confirm" in the dialog (see approve for `shown`). */
  reject = async (
    caseId: string,
    reasonCode: string,
    internalNote = "",
    confirmed = true,
    shown?: Record<string, string>,
  ) =>
    this.run(rejectAction, {
      caseId,
      ...(shown ?? (await this.shownOn(caseId))),
      reasonCode,
      internalNote,
      ...(confirmed && { confirmed: "yes" }),
    });
  /**
   * "Request more information"; `reasons`: a document's own reason (`reason:<type>` fields);
   * `internalNote`: the note for colleagues.
   */
  requestInformation = async (
    caseId: string,
    items: string[],
    message: string,
    reasons: Record<string, string> = {},
    internalNote = "",
    shown?: Record<string, string>,
  ) =>
    this.run(requestAction, {
      caseId,
      ...(shown ?? (await this.shownOn(caseId))),
      items,
      message,
      ...Object.fromEntries(Object.entries(reasons).map(([type, r]) => [`reason:${type}`, r])),
      ...(internalNote && { internalNote }),
    });
  /** "Take back into review" (see approve for `shown`). */
  resumeReview = async (caseId: string, shown?: Record<string, string>) =>
    this.run(resumeReviewAction, { caseId, ...(shown ?? (await this.shownOn(caseId))) });
  /** "Reopen" with a reason, then "Yes, confirm" in the dialog (see approve for `shown`). */
  reopen = async (
    caseId: string,
    reason: string,
    confirmed = true,
    shown?: Record<string, string>,
  ) =>
    this.run(reopenAction, {
      caseId,
      ...(shown ?? (await this.shownOn(caseId))),
      reason,
      ...(confirmed && { confirmed: "yes" }),
    });
  retryChecks = (caseId: string) => this.run(retryChecksAction, { caseId });
  /**
   * "Set legal hold" / "Lift" with a reason, with the hold form's fields as the page wrote them
   * (the hold it showed): `read` (taken earlier with caseForm(…, "legal-hold-submit"), for a page
   * read before the hold changed), else the page as it is now.
   */
  legalHold = async (
    caseId: string,
    hold: "set" | "lift",
    reason: string,
    read?: Record<string, string>,
  ) =>
    this.run(legalHoldAction, {
      ...(read ?? (await this.formOnPage(caseId, "legal-hold-submit"))),
      hold,
      reason,
    });
  /**
   * "Record the trader's erasure request", then "Yes, confirm" in its dialog (`read`: the form as
   * an earlier load of the case page showed it, for a page the admin did not reload).
   */
  erasureRequest = async (caseId: string, confirmed = true, read?: Record<string, string>) =>
    this.run(erasureRequestAction, {
      ...(read ?? (await this.formOnPage(caseId, "erasure-submit"))),
      ...(confirmed && { confirmed: "yes" }),
    });
  /**
   * "Review completed" on the case page's periodic review task, with the chosen outcome (see
   * approve for `shown`).
   */
  completePeriodicReview = async (
    caseId: string,
    outcome: string,
    note = "",
    shown?: Record<string, string>,
  ) =>
    this.run(periodicReviewAction, {
      caseId,
      ...(shown ?? (await this.shownOn(caseId))),
      outcome,
      note,
    });
  /**
   * "Keep the approval and close the task" on a vendor's late verdict, then "Yes, confirm", with
   * the keep form's fields as the page wrote them: `read` (taken earlier with caseForm, for a
   * page read before something changed), else the page as it is now (only the case, as a forged
   * form would, when the page offers no such form).
   */
  keepApproval = async (
    caseId: string,
    note: string,
    confirmed = true,
    read?: Record<string, string>,
  ) =>
    this.run(keepApprovalAction, {
      ...(read ?? (await this.formOnPage(caseId, "keep-approval"))),
      note,
      ...(confirmed && { confirmed: "yes" }),
    });
  /**
   * "Close the monitoring task" on a task whose hits do not read, then "Yes, confirm" (see
   * approve for `shown`).
   */
  closeMonitoringTask = async (
    caseId: string,
    note: string,
    confirmed = true,
    shown?: Record<string, string>,
  ) =>
    this.run(closeMonitoringTaskAction, {
      caseId,
      ...(shown ?? (await this.shownOn(caseId))),
      note,
      ...(confirmed && { confirmed: "yes" }),
    });
  relationshipEnd = (caseId: string, endedOn: string) =>
    this.run(relationshipEndAction, { caseId, endedOn });
  /**
   * "False positive", or "Confirm match" then "Yes, confirm" in its dialog, with the hit form's
   * fields as the page wrote them (the sighting it showed): `read` (taken earlier with hitForm),
   * else the page as it is now (only the case and hit, as a forged form would, when the page
   * offers no form for the hit).
   */
  judgeHit = async (
    caseId: string,
    hitKey: string,
    verdict: "false_positive" | "confirmed",
    reason = "",
    confirmed = verdict === "confirmed",
    read?: Record<string, string>,
  ) =>
    this.run(screeningHitAction, {
      ...(read ?? (await this.hitForm(caseId, hitKey))),
      verdict,
      reason,
      ...(confirmed && { confirmed: "yes" }),
    });

  /** "Replay" on a row of the case page's delivery log: every delivery of that event again. */
  replayEvent = (caseId: string, eventId: string) =>
    this.run(replayEventAction, { caseId, eventId });

  /** The hidden fields of the case page's form for one screening hit (see caseForm). */
  async hitForm(caseId: string, hitKey: string): Promise<Record<string, string>> {
    const page = await this.casePage(caseId);
    const at = page.indexOf(`data-hit="${hitKey}"`);
    const next = page.indexOf('data-hit="', at + 1);
    const hit = at < 0 ? "" : page.slice(at, next < 0 ? undefined : next);
    return hit.includes('data-testid="hit-false-positive"')
      ? hiddenFieldsOf(hit, "hit-false-positive")
      : { caseId, hitKey };
  }

  /** The hidden fields of a form on the case page, or only the case when there is none. */
  private async formOnPage(caseId: string, testId: string): Promise<Record<string, string>> {
    const page = await this.casePage(caseId);
    return page.includes(`data-testid="${testId}"`) ? hiddenFieldsOf(page, testId) : { caseId };
  }

  async replayDead(): Promise<string> {
    const result = await this.act(() => outcomeOf(replayDeadAction()));
    return "redirect" in result ? result.redirect : "no redirect";
  }

  /** The case page as the console renders it (HTML). */
  casePage(caseId: string, query: Record<string, string> = {}): Promise<string> {
    return this.act(() =>
      renderPage(
        CasePage({ params: Promise.resolve({ id: caseId }), searchParams: Promise.resolve(query) }),
      ),
    );
  }

  /** The console language picker (account page, or the sign-in page signed out): where it led. */
  async chooseLanguage(locale: string): Promise<string> {
    const result = await this.act(() => outcomeOf(chooseLanguageAction(formOf({ locale }))));
    if (!("redirect" in result)) throw new Error("choosing a language always redirects");
    return result.redirect;
  }

  /**
   * An admin gives a colleague another role: the role form of their row on the accounts page.
   * The colleague's sessions end with it (they sign in again).
   */
  async changeRoleOf(email: string, role: "reviewer" | "approver" | "admin"): Promise<string> {
    const page = await this.act(() =>
      renderPage(StaffAccountsPage({ searchParams: Promise.resolve({}) })),
    );
    const row = page.slice(page.indexOf(`data-staff="${email}"`));
    const staffId = /<input type="hidden" name="staffId" value="([^"]+)"/.exec(row)?.[1];
    if (!staffId) throw new Error(`no account ${email} on the accounts page`);
    return this.run(changeRoleAction, { staffId, role });
  }

  /** An admin disables a colleague's account: the button on their row of the accounts page. */
  async disableAccountOf(email: string, disabled = true): Promise<string> {
    const page = await this.act(() =>
      renderPage(StaffAccountsPage({ searchParams: Promise.resolve({}) })),
    );
    const row = page.slice(page.indexOf(`data-staff="${email}"`));
    const staffId = /<input type="hidden" name="staffId" value="([^"]+)"/.exec(row)?.[1];
    if (!staffId) throw new Error(`no account ${email} on the accounts page`);
    return this.run(disableStaffAction, { staffId, disabled: disabled ? "1" : "0" });
  }

  /** An admin enables a disabled account again: the same button, which now says "Enable". */
  enableAccountOf = (email: string) => this.disableAccountOf(email, false);

  /** One's own account page (HTML). */
  accountPage(query: Record<string, string> = {}): Promise<string> {
    return this.act(() => renderPage(AccountPage({ searchParams: Promise.resolve(query) })));
  }

  /** The sign-in page (HTML), as this browser sees it. */
  loginPage(query: Record<string, string> = {}): Promise<string> {
    return this.act(() => renderPage(LoginPage({ searchParams: Promise.resolve(query) })));
  }

  /** The console's frame (header and navigation) around a page's HTML. */
  inConsole(page: string): Promise<string> {
    return this.act(() =>
      renderPage(AdminLayout({ children: createElement("div", { "data-page": "" }, page) })),
    );
  }

  /** The queue as the console renders it (HTML), with its filters in the query. */
  queue(query: Record<string, string> = {}): Promise<string> {
    return this.act(() => renderPage(QueuePage({ searchParams: Promise.resolve(query) })));
  }

  /** The deliveries page (HTML), or where the console sent someone whose role may not see it. */
  async deliveriesPage(query: Record<string, string> = {}): Promise<string> {
    const result = await this.act(() =>
      outcomeOf(renderPage(DeliveriesPage({ searchParams: Promise.resolve(query) }))),
    );
    return "redirect" in result ? `redirect:${result.redirect}` : result.value;
  }

  /** The dashboard (HTML), or where the console sent someone whose role may not see it. */
  async dashboardPage(query: Record<string, string> = {}): Promise<string> {
    const result = await this.act(() =>
      outcomeOf(renderPage(DashboardPage({ searchParams: Promise.resolve(query) }))),
    );
    return "redirect" in result ? `redirect:${result.redirect}` : result.value;
  }

  /** The CSV export of one dashboard figure, as the figure's "CSV" link asks for it. */
  exportDashboard(figure: string, query: Record<string, string> = {}): Promise<Response> {
    const params = new URLSearchParams({ figure, ...query });
    return this.act(() =>
      exportDashboard(new Request(`${BROKER}/admin/dashboard/export?${params.toString()}`)),
    );
  }

  /** The retention list (HTML), or where the console sent someone whose role may not see it. */
  async retentionPage(): Promise<string> {
    const result = await this.act(() => outcomeOf(renderPage(RetentionPage())));
    return "redirect" in result ? `redirect:${result.redirect}` : result.value;
  }

  /** The data-subject export of one trader (a ZIP). */
  exportSubjectData(traderId: string): Promise<Response> {
    return this.act(() =>
      exportTraderData(new Request(`${BROKER}/admin/traders/${traderId}/export`), {
        params: Promise.resolve({ id: traderId }),
      }),
    );
  }

  /** A document as the console's viewer and its Open link load it. */
  openDocument(documentId: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.act(() =>
      openDocument(new Request(`${BROKER}/admin/documents/${documentId}`, { headers }), {
        params: Promise.resolve({ id: documentId }),
      }),
    );
  }

  /** The vendor's report of the case, through the console's link. */
  vendorReport(caseId: string): Promise<Response> {
    return this.act(() =>
      vendorReport(new Request(`${BROKER}/admin/cases/${caseId}/vendor-report`), {
        params: Promise.resolve({ id: caseId }),
      }),
    );
  }

  /**
   * The evidence export (JSON or the printable page); `headers`: what the proxy adds to the
   * request (its CSP nonce).
   */
  async exportEvidence(
    caseId: string,
    format: "json" | "html" = "json",
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return this.act(() =>
      exportEvidence(
        new Request(
          `${BROKER}/admin/cases/${caseId}/export${format === "html" ? "?format=html" : ""}`,
          { headers },
        ),
        { params: Promise.resolve({ id: caseId }) },
      ),
    );
  }

  /** The audit trail page (HTML), or where the console sent someone whose role may not see it. */
  async auditPage(query: Record<string, string> = {}): Promise<string> {
    const result = await this.act(() =>
      outcomeOf(renderPage(AuditPage({ searchParams: Promise.resolve(query) }))),
    );
    return "redirect" in result ? `redirect:${result.redirect}` : result.value;
  }

  /** "Verify now" on the audit page: where the console sends the officer afterwards. */
  async verifyAuditChain(): Promise<string> {
    const result = await this.act(() => outcomeOf(verifyChainAction()));
    return "redirect" in result ? result.redirect : "no redirect";
  }

  /** The audit log's CSV export with the page's filters. */
  exportAuditLog(query: Record<string, string> = {}): Promise<Response> {
    return this.act(() =>
      exportAuditLog(
        new Request(`${BROKER}/admin/audit/export?${new URLSearchParams(query).toString()}`),
      ),
    );
  }
}

export async function signedInStaff(
  world: World,
  email: string,
  role: "reviewer" | "approver" | "admin",
) {
  const staff = new Staff(await world.createStaff(email, role));
  await staff.signIn();
  return staff;
}

/**
 * The trader verified at the standard level (`personal` and `identity` override the scenario's
 * person): launch to submit, the checks run, `reviewer` approves, the worker delivers it.
 */
export async function approvedAtStandard(
  world: World,
  trader: Trader,
  reviewer: Staff,
  personal: Partial<typeof PERSONAL> = {},
  identity: Partial<typeof IDENTITY> = {},
): Promise<KycCase> {
  await trader.completeStandardLevel(personal, identity);
  await world.worker();
  const kycCase = await trader.currentCase();
  expect(await reviewer.approve(kycCase.id)).toBe("approved");
  await world.worker();
  return kycCase;
}
