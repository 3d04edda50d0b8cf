/**
 * No dead ends for the trader. Cases are walked through every state a real flow reaches (the
 * cTrader launch, the trader's actions and uploads, the console's actions, the worker), and in
 * each state every trader screen is rendered, deep links included: the overview, a form, the
 * upload screen for every document type (also ones the level never asks for) and the status
 * screen. Each must say where the trader stands — a control to act, or a plain "nothing to do"
 * — never an empty card or a raw message key.
 *
 * A new state is one row of WALKS; a new screen is one row of SCREENS.
 */
import "./support/request-scope";
import UploadPage from "@/app/inapp/kyc/upload/page";
import { DOCUMENT_TYPES } from "@/lib/inapp/params";
import type { TraderPhase } from "@/lib/kyc/trader-view";
import en from "@/messages/en.json";
import { renderPage, textOf } from "../helpers/render-page";
import { ADDRESS, signedInStaff, Trader, type Staff } from "./support/people";
import { scenarioWorld, type World } from "./support/world";
import { PERSONAL } from "../fixtures/kyc-values";

const world = scenarioWorld();

type Cast = { trader: Trader; reviewer: Staff; approver: Staff; admin: Staff; w: World };
type Screens = Record<string, string>;
type Row = {
  state: string;
  phase: TraderPhase;
  reach: (cast: Cast, caseId: () => Promise<string>) => Promise<unknown>;
  /** What the trader must read in this state, beyond the checks every screen gets. */
  sees?: (screens: Screens) => void;
};

const MESSAGE = "The bill is from 2019.\nPlease send one from the last three months.";
const MESSAGE_HTML =
  "<p>The bill is from 2019.</p><p>Please send one from the last three months.</p>";

const upload = (trader: Trader, query: Record<string, string>) =>
  trader.act(() => renderPage(UploadPage({ searchParams: Promise.resolve(query) })));

const SCREENS: Record<string, (trader: Trader) => Promise<string>> = {
  landing: (trader) => trader.html("kyc"),
  overview: (trader) => trader.html("kyc", { view: "overview" }),
  "form deep link": (trader) => trader.html("kyc", { step: "personal" }),
  "upload chooser": (trader) => upload(trader, {}),
  ...Object.fromEntries(
    DOCUMENT_TYPES.map((type) => [
      `upload ${type}`,
      (trader: Trader) => upload(trader, { documentType: type }),
    ]),
  ),
  status: (trader) => trader.html("status"),
};

const sendsWhatWasAsked = async ({ trader }: Cast) => {
  await trader.continue("proof_of_address", ADDRESS());
  // The proof-of-address step asked again asks for the bill again too.
  expect((await trader.upload("address")).status).toBe(200);
  expect((await trader.upload("additional")).status).toBe(200);
  return trader.submit();
};

const WALKS: Record<string, Row[]> = {
  "asked for more, rejected with a retry, approved, withdrawn": [
    {
      state: "not started",
      phase: "not_started",
      reach: ({ trader }) => trader.launch("kyc", { kycType: "standard" }),
      sees: (s) => expect(s["upload additional"]).toContain('data-testid="upload-optional"'),
    },
    {
      state: "in progress",
      phase: "in_progress",
      reach: ({ trader }) => trader.continue("personal", PERSONAL),
      sees: (s) =>
        expect(textOf(s.overview!)).not.toContain(en.CaseStatus.name.match(/draft \{(.*?)\}/)![1]),
    },
    {
      state: "submitted",
      phase: "waiting",
      reach: async ({ trader }) => {
        await trader.fillStandardForms();
        await trader.uploadStandardDocuments();
        return trader.submit();
      },
    },
    { state: "in review", phase: "waiting", reach: ({ w }) => w.worker() },
    {
      state: "more information requested",
      phase: "action_required",
      reach: async ({ reviewer }, id) =>
        expect(
          await reviewer.requestInformation(
            await id(),
            ["step:proof_of_address", "document:additional"],
            MESSAGE,
          ),
        ).toBe("action_requested"),
      sees: (s) => {
        // Where the relaunch lands: the overview with the message, its line breaks kept.
        expect(s.landing).toContain('data-testid="action-request"');
        expect(s.landing).toContain(MESSAGE_HTML);
        // Beside each item it concerns, and the requested step offers to update, not to start.
        expect(s.overview).toContain('data-testid="note-proof_of_address"');
        expect(s.overview).toContain('data-testid="note-document-additional"');
        for (const untouched of ["note-personal", "note-identity_document"])
          expect(s.overview).not.toContain(`data-testid="${untouched}"`);
        expect(s.overview).toContain(
          `href="/inapp/kyc?step=proof_of_address">${en.Steps.update}</a>`,
        );
        // The additional document the level never asked for is its own row: name, then state.
        expect(s.overview).toMatch(
          /<ul class="steps documents" data-testid="other-documents"><li data-document="additional"/,
        );
        for (const screen of ["upload address", "upload additional", "status"])
          expect({ screen, html: s[screen]!.includes(MESSAGE_HTML) }).toEqual({
            screen,
            html: true,
          });
        // The identity document was not asked for again: its upload says so, not an empty card.
        expect(s["upload identity"]).toContain('data-testid="upload-kept"');
      },
    },
    { state: "resubmitted", phase: "waiting", reach: sendsWhatWasAsked },
    { state: "in review again", phase: "waiting", reach: ({ w }) => w.worker() },
    {
      state: "rejected, may try again",
      phase: "rejected_retry",
      reach: async ({ reviewer }, id) =>
        expect(await reviewer.reject(await id(), "address_proof_invalid")).toBe("rejected_retry"),
      sees: (s) => expect(s.overview).toContain('data-testid="retry-case"'),
    },
    {
      state: "started again after the retry rejection",
      phase: "returned",
      reach: ({ trader }) => trader.retry(),
      sees: (s) => {
        // Straight to the form to fix, with the reason beside it.
        expect(s.landing).toContain('data-testid="note-proof_of_address"');
        expect(textOf(s.landing!)).toContain(en.RejectReasons.address_proof_invalid);
        const overview = textOf(s.overview!);
        expect(overview).toContain(en.Phase.returned);
        expect(overview).toContain(en.RejectReasons.address_proof_invalid);
        expect(overview).not.toContain(en.CaseStatus.name.match(/draft \{(.*?)\}/)![1]);
        expect(overview).not.toContain(en.CaseStatus.explain.match(/draft \{(.*?)\}/)![1]);
      },
    },
    {
      state: "sent again",
      phase: "waiting",
      reach: async ({ trader, w }) => {
        await trader.continue("proof_of_address", ADDRESS());
        expect((await trader.upload("address")).status).toBe(200);
        expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
        await w.worker();
      },
    },
    {
      state: "approved",
      phase: "approved",
      reach: async ({ reviewer }, id) =>
        expect(await reviewer.approve(await id())).toBe("approved"),
    },
    {
      state: "approval withdrawn",
      phase: "rejected_final",
      reach: async ({ approver }, id) =>
        expect(await approver.reject(await id(), "duplicate_account")).toBe("rejected_final"),
    },
  ],
  "rejected for good, then reopened by an admin": [
    {
      state: "submitted",
      phase: "waiting",
      reach: ({ trader }) => trader.completeStandardLevel(),
    },
    { state: "in review", phase: "waiting", reach: ({ w }) => w.worker() },
    {
      state: "rejected, final",
      phase: "rejected_final",
      reach: async ({ reviewer }, id) =>
        expect(await reviewer.reject(await id(), "fraud_suspected")).toBe("rejected_final"),
    },
    {
      state: "reopened",
      phase: "waiting",
      reach: async ({ admin }, id) =>
        expect(await admin.reopen(await id(), "Decided in error, reviewing again")).toBe(
          "reopened",
        ),
    },
  ],
};

const NAMESPACES = Object.keys(en).join("|");
/** What next-intl prints for a message it cannot find: the key itself. */
const RAW_KEY = new RegExp(`\\b(?:${NAMESPACES})\\.[A-Za-z_.]+`);
const WORKING: TraderPhase[] = ["not_started", "in_progress", "returned", "action_required"];

/** Every card says something; the screen offers a way to act or says there is nothing to do. */
function problemsOf(html: string, phase: TraderPhase): string[] {
  const problems: string[] = [];
  const text = textOf(html);
  const raw = RAW_KEY.exec(text);
  if (raw) problems.push(`raw message key ${raw[0]}`);
  for (const card of html.match(/<section class="card"[^>]*>[\s\S]*?<\/section>/g) ?? [])
    if (!textOf(card)) problems.push(`empty card ${card.slice(0, 80)}`);
  const toldWhereItStands =
    html.includes(`data-testid="next-step" data-phase="${phase}"`) ||
    html.includes('data-testid="final-rejection"') ||
    html.includes('data-testid="upload-kept"') ||
    html.includes('data-testid="upload-done"');
  const canAct =
    /<form|<input[^>]*type="file"|href="\/inapp\/kyc(\?step=|\/upload\?documentType=)/.test(html);
  if (!toldWhereItStands && !canAct) problems.push("neither a control to act nor where it stands");
  // A file picker outside the phases that take files would only lead to a refusal.
  if (!WORKING.includes(phase) && /<input[^>]*type="file"/.test(html))
    problems.push("offers an upload the case cannot take");
  return problems;
}

describe("every trader screen in every case state", () => {
  let userId = 490_000;
  it.each(Object.entries(WALKS))("%s", async (_walk, rows) => {
    const w = world();
    const cast: Cast = {
      w,
      trader: new Trader(w, ++userId),
      reviewer: await signedInStaff(w, `walk${userId}.reviewer@broker.example`, "reviewer"),
      approver: await signedInStaff(w, `walk${userId}.approver@broker.example`, "approver"),
      admin: await signedInStaff(w, `walk${userId}.admin@broker.example`, "admin"),
    };
    const caseId = async () => (await cast.trader.currentCase()).id;
    for (const row of rows) {
      await row.reach(cast, caseId);
      const screens: Screens = {};
      for (const [name, render] of Object.entries(SCREENS))
        screens[name] = await render(cast.trader);
      const found = Object.entries(screens).flatMap(([screen, html]) =>
        problemsOf(html, row.phase).map((problem) => `${screen}: ${problem}`),
      );
      expect({ state: row.state, found }).toEqual({ state: row.state, found: [] });
      row.sees?.(screens);
    }
  });
});
