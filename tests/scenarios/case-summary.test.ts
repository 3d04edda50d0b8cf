/**
 * Scenario: the officer's summary across rounds and cases. A reviewer asks for more information,
 * the trader answers with a new document number and a new photo; the summary of round 2 names
 * what was asked and what changed. A trader who comes back after their relationship ended and
 * their first case was erased gets a second case, whose summary links the first.
 */
import "./support/request-scope";
import { getCaseFile } from "@/lib/review/case-file";
import { requireStaff } from "@/lib/staff/console";
import { textOf } from "../helpers/render-page";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();

// Each scenario walks two traders or two rounds through the real flow: slow on a busy machine.
jest.setTimeout(300_000);

describe("scenario: the case summary across rounds and cases", () => {
  it("shows what changed since the last round, and no previous case for a first case", async () => {
    const w = world();
    const trader = new Trader(w, 451_001);
    await trader.completeStandardLevel();
    const first = await trader.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "rounds.summary@broker.example", "reviewer");
    expect(textOf(await reviewer.casePage(first.id))).toContain(
      "First round: nothing to compare yet.",
    );

    expect(
      await reviewer.requestInformation(
        first.id,
        ["document:identity", "step:identity_document"],
        "Please show the photo page in full.",
      ),
    ).toBe("action_requested");
    await trader.launch("kyc");
    expect(
      await trader.continue("identity_document", {
        documentKind: "passport",
        documentNumber: "PZ1234567",
        issuingCountry: "SE",
        expiryDate: "2033-03-03",
      }),
    ).toEqual({ redirect: "/inapp/kyc" });
    expect((await trader.upload("identity")).status).toBe(200);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();

    const page = await reviewer.casePage(first.id);
    const text = textOf(page);
    expect(page).toContain('data-testid="summary-changes" data-round="2"');
    // What was asked, in words: the step and the document are both "Identity document".
    expect(text).toMatch(
      /Asked for \( [-\d: ]+ UTC \): Identity document — “ Please show the photo page in full. ”/,
    );
    expect(page).toContain('data-step="identity_document" data-field="documentNumber"');
    expect(page).toContain('data-step="identity_document" data-field="expiryDate"');
    // Each changed answer is named by the label the trader's form gave it, not its key.
    expect(text).toContain("Identity document · Document number");
    expect(text).toContain("Identity document · Expiry date");
    expect(text).not.toContain("documentNumber");
    expect(text).toContain("PZ1234567");
    expect(text).toContain("2033-03-03");
    // Only what changed: the personal data stayed as it was.
    expect(page).not.toContain('data-step="personal"');
    expect(page).toMatch(
      /data-testid="summary-new-documents"><li[^>]*data-document="identity" data-side="page"/,
    );
    expect(page).not.toMatch(/summary-new-documents">(?:(?!<\/ul>).)*data-document="address"/s);
    // No earlier case: the trader's only one.
    expect(page).toMatch(/data-testid="summary-previous">None\./);

    // The same page for an officer working in German: the page's words are German, what the
    // reviewer wrote to the trader stays as written.
    reviewer.locale = "de";
    const de = await reviewer.casePage(first.id, { outcome: "action_requested" });
    const deText = textOf(de);
    expect(de).toContain('<h2 id="decide-title">Entscheiden</h2>');
    expect(de).toContain('<h2 id="case-summary-title">Fallübersicht</h2>');
    expect(de).toMatch(/data-testid="request"[^>]*>Weitere Informationen anfordern<\/button>/);
    expect(de).toMatch(/data-testid="outcome"[^>]*>Der Händler wurde um weitere Informationen/);
    expect(deText).toContain("Der Händler liest Englisch (en).");
    expect(deText).toContain("In Prüfung; wartet auf eine Entscheidung.");
    expect(deText).toContain("“ Please show the photo page in full. ”");
    expect(deText).toContain("Ausweisdokument · Dokumentnummer");
    expect(deText).toContain("Ausweisdokument · Ablaufdatum");
    expect(de).toContain('<h2 id="checks-title">Automatische Prüfungen</h2>');
    expect(de).toContain('<h2 id="data-title">Daten des Händlers</h2>');
    expect(de).toContain('<h2 id="timeline-title">Verlauf</h2>');
    expect(de).toContain('<h2 id="retention-title">Aufbewahrung</h2>');
    expect(deText).not.toContain("Request more information");
    expect(deText).not.toContain("Decide");
    // Codes stay in attributes for tools and tests; the officer reads German words.
    expect(de).toContain('data-testid="case-status" data-status="in_review">In Prüfung<');
    expect(de).toMatch(
      /data-testid="case-risk" data-risk="(low|medium|high)">(Niedrig|Mittel|Hoch)/,
    );
    expect(de).toContain('data-testid="case-level" data-level="standard">Standard<');
    expect(de).toContain(
      '<tr data-check="age" data-outcome="pass"><td>Alter</td><td><strong>Bestanden</strong>',
    );
    expect(deText).toMatch(
      /Risiko (Niedrig|Mittel|Hoch) \(\d+ Punkte\) · Weg (automatische Genehmigung|Prüfung)/,
    );
    // The timeline names each event and status; the trader is "den Händler", not "trader".
    expect(deText).toContain("Eingereicht: Entwurf → Eingereicht durch den Händler");
    expect(deText).toContain(
      "Weitere Informationen angefordert: In Prüfung → Wartet auf den Trader durch rounds.summary —",
    );
    expect(deText).toContain("Erneut eingereicht: Wartet auf den Trader → Erneut eingereicht");
    expect(deText).toContain("Anforderung weiterer Informationen durch rounds.summary");
    // Deliveries: where and how it went, in words.
    expect(de).toMatch(
      /<tr data-status="delivered" data-destination="webhook:crm"><td>Webhook crm<\/td><td><strong>Zugestellt<\/strong>/,
    );
    expect(deText).toContain("cTrader-Konto Zugestellt");
    // What the cTrader account adapter decided, in German, from the code it stored.
    expect(deText).toContain("(keine Zugriffsrechte für In Prüfung)");
    expect(deText).toMatch(/\(überholt durch Ereignis \d+, das die aktuellen Rechte setzt\)/);
    // The reasons to reject by their names; the stored files by type, side and state.
    expect(de).toMatch(/<option value="underage">Minderjährig \(endgültig\)<\/option>/);
    expect(deText).toContain("Ausweisdokument · Seite · akzeptiert · image/jpeg");
    for (const code of [
      "in_review",
      "action_required",
      "request_action",
      "start_review",
      "document_expired",
      "(retry)",
      "no access rights",
    ])
      expect(deText).not.toContain(code);
    expect(deText).not.toMatch(/\bdelivered\b|\bpass\b|webhook:crm/);
    reviewer.locale = "en";
  });

  // Upgrades and renewals reopen the approved case, and a final rejection is shown again at every
  // launch: a trader gets a second case only once the first is closed without a final
  // rejection, which is the retention purge after the relationship ended (a trader who comes back
  // years later is verified anew). The new case's summary links the erased one.
  it("links the trader's erased earlier case when they come back after the relationship ended", async () => {
    const w = world();
    const trader = new Trader(w, 451_004);
    // A passport valid beyond the erasure: the first case is still approved when it goes.
    await trader.completeStandardLevel({ surnames: "Lindqvist" }, { expiryDate: "2039-06-30" });
    const first = await trader.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "first.summary@broker.example", "reviewer");
    expect(await reviewer.approve(first.id)).toBe("approved");

    const admin = await signedInStaff(w, "ended.summary@broker.example", "admin");
    const today = new Date().toISOString().slice(0, 10);
    expect(await admin.relationshipEnd(first.id, today)).toBe("relationship_ended");
    const erasableFrom = new Date(`${today}T00:00:00Z`);
    erasableFrom.setUTCFullYear(erasableFrom.getUTCFullYear() + 5);
    await w.worker(erasableFrom);

    // The trader comes back: a new case, not the erased approval.
    await trader.launch("kyc");
    const second = await trader.currentCase();
    expect(second.id).not.toBe(first.id);
    expect(second.status).toBe("draft");
    await trader.completeStandardLevel({ surnames: "Lindqvist" });
    expect((await trader.currentCase()).id).toBe(second.id);
    await w.worker();

    // Staff signed in again: the worker's run years ahead swept their sessions as expired.
    await reviewer.signIn();
    const page = await reviewer.casePage(second.id);
    const previous = /<ul data-testid="summary-previous">(.*?)<\/ul>/s.exec(page)?.[1] ?? "";
    expect([...previous.matchAll(/<li[^>]*data-case="([0-9a-f-]{36})"/g)].map((m) => m[1])).toEqual(
      [first.id],
    );
    expect(previous).toContain(`href="/admin/cases/${first.id}"`);
    expect(textOf(previous)).toContain("Standard · Approved");
    // The link leads to what is left of it: the tombstone, no personal data.
    const earlier = await reviewer.casePage(first.id);
    expect(earlier).toContain('data-testid="tombstone"');
    expect(textOf(earlier)).not.toContain("Lindqvist");
    // The new case holds what the trader sent this time.
    expect(textOf(page)).toContain("Lindqvist");

    // The next purge keeps it: the ended relationship is the first case's, not this one's clock.
    await w.worker(new Date(erasableFrom.getTime() + 86_400_000));
    await reviewer.signIn();
    const kept = await reviewer.casePage(second.id);
    expect(kept).not.toContain('data-testid="tombstone"');
    expect(textOf(kept)).toContain("Lindqvist");
  });
});

describe("scenario: final decisions are confirmed, and j / k walk the queue", () => {
  it("refuses an approval or a rejection sent without the confirmation, with words, changing nothing", async () => {
    const w = world();
    const first = new Trader(w, 451_002);
    await first.completeStandardLevel();
    const second = new Trader(w, 451_003);
    await second.completeStandardLevel();
    await w.worker();
    const [a, b] = [await first.currentCase(), await second.currentCase()];
    const reviewer = await signedInStaff(w, "confirm.summary@broker.example", "reviewer");

    expect(await reviewer.approve(a.id, false)).toBe("error:confirmation_required");
    expect(await reviewer.reject(a.id, "fraud_suspected", "", false)).toBe(
      "error:confirmation_required",
    );
    expect(textOf(await reviewer.casePage(a.id, { error: "confirmation_required" }))).toContain(
      "Final decisions are confirmed in a dialog first. Nothing was changed",
    );
    expect(await first.status()).toBe("in_review");
    expect(w.crmEventsFor(a.id).map((e) => e.status)).toEqual(["submitted", "in_review"]);

    // The page offers the dialog: the decision buttons ask, the list of shortcuts is there.
    const page = await reviewer.casePage(a.id);
    expect(page).toContain('data-testid="approve-confirm"');
    expect(page).toContain('data-testid="reject-confirm"');
    for (const decision of ["approve", "reject"]) {
      const yes = new RegExp(`<button[^>]*data-testid="${decision}-yes"[^>]*>`).exec(page)?.[0];
      expect(yes).toContain('name="confirmed"');
      expect(yes).toContain('value="yes"');
    }
    expect(page).toContain('data-testid="shortcuts"');

    // j / k: the cases before and after, in the queue's order (oldest first).
    const neighbours = async (id: string) =>
      (await reviewer.act(async () => getCaseFile(await requireStaff("reviewer"), id)))!.neighbours;
    const around = await neighbours(a.id);
    expect(around.next).toBe(b.id);
    expect((await neighbours(b.id)).previous).toBe(a.id);

    // Confirmed, the same approval goes through.
    expect(await reviewer.approve(a.id)).toBe("approved");
  });
});
