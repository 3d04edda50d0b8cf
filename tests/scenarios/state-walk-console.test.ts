/**
 * State walk of the console: every case state a real flow reaches (launch, the trader's actions,
 * the console's actions, the worker), and in each the queue, the case page and the deliveries
 * page as a reviewer, an approver and an admin see them. In every one: no empty section; the role
 * that must act has its control, enabled; a role that cannot act is told why; staff are named,
 * never shown by id. The broker's CRM refuses every delivery throughout, so deliveries fail and
 * retry on schedule, and at the end run out.
 *
 * Not walked: `expired` (nothing in the product moves a case there yet).
 */
import "./support/request-scope";
import { getStaffByEmail } from "@/lib/db/queries/staff";
import { textOf } from "../helpers/render-page";
import { signedInStaff, Trader, type Staff } from "./support/people";
import { OFAC_EXCERPT, scenarioWorld } from "./support/world";
import { PERSONAL } from "../fixtures/kyc-values";

const world = scenarioWorld();
const HOUR = 3_600_000;

const ROLES = ["reviewer", "approver", "admin"] as const;
type Role = (typeof ROLES)[number];
const crew = {} as Record<Role, Staff>;
const staffIds = {} as Record<Role, string>;
const NAME: Record<Role, string> = {
  reviewer: "walk.reviewer",
  approver: "walk.approver",
  admin: "walk.admin",
};

/** RAFAEL CARO QUINTERO, OFAC SDN entry 6707 (in the excerpt the tests ship). */
const LISTED = {
  givenNames: "Rafael",
  surnames: "Caro Quintero",
  dateOfBirth: "1952-12-12",
  nationalities: ["MX"],
};
const HIT = "ofac-sdn-excerpt:6707";

beforeAll(async () => {
  const w = world();
  await w.importLists([OFAC_EXCERPT]);
  w.setDown({ crm: true });
  for (const role of ROLES) {
    crew[role] = await signedInStaff(w, `${NAME[role]}@broker.example`, role);
    staffIds[role] = (await getStaffByEmail(`${NAME[role]}@broker.example`))!.id;
  }
});

/** What one role must find on the case page in one state. */
type Sees = {
  /** Buttons (data-testid) present and enabled. */
  enabled?: string[];
  /** Buttons present and disabled. */
  disabled?: string[];
  /** Reasons shown for a control this role cannot use (data-why). */
  why?: string[];
  /** Words on the page. */
  text?: string[];
};

type State = {
  name: string;
  /** Drives the product into the state; answers the case. */
  reach: () => Promise<string>;
  status: string;
  /** The queue tab that lists it. */
  queue: string;
  /** Who holds it, as the queue names them to each role. */
  holder?: Role;
  blocker?: string;
  sees: Record<Role, Sees>;
};

let nextUser = 530_000;
const traders: Record<string, Trader> = {};
const cases: Record<string, string> = {};

async function submitted(key: string, personal: Partial<typeof PERSONAL> = {}, locale = "en") {
  const trader = new Trader(world(), nextUser++, locale);
  await trader.completeStandardLevel(personal);
  traders[key] = trader;
  cases[key] = (await trader.currentCase()).id;
  return cases[key];
}

const everyone = (sees: Sees): Record<Role, Sees> => ({
  reviewer: sees,
  approver: sees,
  admin: sees,
});
const reopenOnlyByAdmin: Record<Role, Sees> = {
  reviewer: { why: ["reopen_needs_admin"] },
  approver: { why: ["reopen_needs_admin"] },
  admin: { enabled: ["reopen"] },
};

const STATES: State[] = [
  {
    name: "a draft the trader has not sent",
    async reach() {
      const trader = new Trader(world(), nextUser++);
      await trader.launch("kyc", { kycType: "standard" });
      await trader.continue("personal", PERSONAL);
      return (await trader.currentCase()).id;
    },
    status: "draft",
    queue: "drafts",
    sees: everyone({ enabled: ["claim", "reject"], text: ["has not sent this case yet"] }),
  },
  {
    name: "sent, its checks still running",
    reach: () => submitted("running"),
    status: "submitted",
    queue: "review",
    blocker: "checks_running",
    sees: everyone({
      enabled: ["claim", "reject", "request", "retry-checks"],
      disabled: ["approve"],
    }),
  },
  {
    name: "in review, nobody holds it",
    async reach() {
      const id = await submitted("clean");
      await world().worker();
      return id;
    },
    status: "in_review",
    queue: "review",
    sees: everyone({ enabled: ["claim", "approve", "reject", "request"] }),
  },
  {
    name: "in review, held by the reviewer",
    async reach() {
      const id = await submitted("held");
      await world().worker();
      expect(await crew.reviewer.claim(id)).toBe("claimed");
      return id;
    },
    status: "in_review",
    queue: "review",
    holder: "reviewer",
    sees: {
      reviewer: { enabled: ["approve", "reject", "request"], text: ["You hold this case"] },
      approver: {
        enabled: ["take-over"],
        disabled: ["approve", "reject", "request"],
        why: ["not_assignee"],
        text: ["Claimed by walk.reviewer"],
      },
      admin: {
        enabled: ["take-over"],
        disabled: ["approve", "reject", "request"],
        why: ["not_assignee"],
        text: ["Claimed by walk.reviewer"],
      },
    },
  },
  {
    name: "four eyes, signed by the approver",
    async reach() {
      world().configure({ FOUR_EYES_MIN_RISK: "low" });
      const id = await submitted("four-eyes");
      await world().worker();
      world().configure({});
      expect(await crew.approver.approve(id)).toBe("awaiting_co_sign");
      return id;
    },
    status: "in_review",
    queue: "review",
    sees: {
      reviewer: {
        disabled: ["approve"],
        why: ["co_sign_needs_approver"],
        text: ["An approver must co-sign this approval"],
      },
      approver: { disabled: ["approve"], why: ["waiting_for_co_sign"] },
      admin: { enabled: ["approve"], text: ["Co-sign approval"] },
    },
  },
  {
    name: "a likely sanctions hit cleared once, by the reviewer",
    async reach() {
      const id = await submitted("hit", LISTED);
      await world().worker();
      expect(
        await crew.reviewer.judgeHit(id, HIT, "false_positive", "Different person, other photo"),
      ).toBe("hit_awaiting_second");
      return id;
    },
    status: "in_review",
    queue: "review",
    blocker: "likely_hit_open",
    sees: {
      reviewer: { disabled: ["approve", "hit-false-positive"], why: ["already_judged"] },
      approver: { enabled: ["hit-false-positive", "hit-confirm"], disabled: ["approve"] },
      admin: { enabled: ["hit-false-positive", "hit-confirm"], disabled: ["approve"] },
    },
  },
  {
    name: "taken back from the trader by the admin, who made no decision on it",
    async reach() {
      const id = cases.hit!;
      expect(
        await crew.reviewer.requestInformation(id, ["step:personal"], "Your date of birth?"),
      ).toBe("action_requested");
      expect(await crew.admin.resumeReview(id)).toBe("review_resumed");
      return id;
    },
    status: "in_review",
    queue: "review",
    blocker: "likely_hit_open",
    sees: {
      reviewer: {
        disabled: ["approve", "hit-false-positive"],
        why: ["already_judged"],
        text: ["Taken back into review: Waiting for the trader → In review by walk.admin"],
      },
      approver: {
        enabled: ["hit-false-positive"],
        text: ["Taken back into review: Waiting for the trader → In review by walk.admin"],
      },
      admin: {
        enabled: ["hit-false-positive"],
        text: ["Taken back into review: Waiting for the trader → In review by walk.admin"],
      },
    },
  },
  {
    name: "waiting for the trader",
    async reach() {
      const id = await submitted("waiting");
      await world().worker();
      expect(
        await crew.reviewer.requestInformation(id, ["step:personal"], "Please correct your name."),
      ).toBe("action_requested");
      return id;
    },
    status: "action_required",
    queue: "waiting",
    sees: everyone({ enabled: ["resume-review", "reject"] }),
  },
  {
    name: "sent again after the request",
    async reach() {
      const trader = traders.waiting!;
      await trader.launch("kyc");
      await trader.continue("personal", { ...PERSONAL, givenNames: "Anna Maria" });
      const sent = await trader.submit();
      expect(sent).toEqual({ redirect: "/inapp/kyc/status" });
      return cases.waiting!;
    },
    status: "resubmitted",
    queue: "review",
    blocker: "checks_running",
    sees: everyone({ enabled: ["reject", "retry-checks"], disabled: ["approve"] }),
  },
  {
    name: "approved",
    async reach() {
      expect(await crew.reviewer.approve(cases.clean!)).toBe("approved");
      return cases.clean!;
    },
    status: "approved",
    queue: "decided",
    sees: {
      reviewer: { why: ["withdraw_needs_approver", "export_needs_approver"] },
      approver: { enabled: ["reject"], text: ["Withdraw approval"] },
      admin: { enabled: ["reject"], text: ["Withdraw approval"] },
    },
  },
  {
    name: "rejected with a retry reason",
    async reach() {
      expect(await crew.reviewer.reject(cases.held!, "document_unreadable")).toBe("rejected_retry");
      return cases.held!;
    },
    status: "rejected",
    queue: "decided",
    holder: "reviewer",
    sees: reopenOnlyByAdmin,
  },
  {
    name: "rejected for good",
    async reach() {
      await world().worker();
      expect(await crew.reviewer.reject(cases.running!, "underage")).toBe("rejected_final");
      return cases.running!;
    },
    status: "rejected",
    queue: "decided",
    sees: {
      reviewer: { ...reopenOnlyByAdmin.reviewer, text: ["The rejection is final"] },
      approver: { ...reopenOnlyByAdmin.approver, text: ["The rejection is final"] },
      admin: { ...reopenOnlyByAdmin.admin, text: ["The rejection is final"] },
    },
  },
  {
    name: "a draft again after the trader's retry, still held by the reviewer",
    async reach() {
      const trader = traders.held!;
      await trader.launch("kyc");
      const retried = await trader.retry();
      expect("redirect" in retried || "value" in retried).toBe(true);
      expect((await trader.currentCase()).status).toBe("draft");
      return cases.held!;
    },
    status: "draft",
    queue: "drafts",
    holder: "reviewer",
    sees: {
      reviewer: { enabled: ["reject"] },
      approver: { enabled: ["take-over"], disabled: ["reject"], why: ["not_assignee"] },
      admin: { enabled: ["take-over"], disabled: ["reject"], why: ["not_assignee"] },
    },
  },
];

/** The sections of a page, each with its heading removed: none may be left without words. */
function emptySections(html: string): string[] {
  return [...html.matchAll(/<section([^>]*)>([\s\S]*?)<\/section>/g)]
    .filter(([, , body]) => textOf(body!.replace(/<h2[^>]*>[\s\S]*?<\/h2>/, "")) === "")
    .map(([, attributes]) => attributes!);
}

function button(html: string, testid: string): string | undefined {
  return new RegExp(`<button[^>]*data-testid="${testid}"[^>]*>`).exec(html)?.[0];
}

function whys(html: string): string[] {
  return [...html.matchAll(/data-why="([a-z_]+)"/g)].map((m) => m[1]!);
}

/** Staff are named; neither their id nor its first characters show anywhere a person reads. */
function expectNoStaffIds(html: string) {
  const text = textOf(html);
  for (const id of Object.values(staffIds)) {
    expect(text).not.toContain(id);
    expect(text).not.toContain(id.slice(0, 8));
  }
}

function queueRow(html: string, caseId: string): string | undefined {
  return new RegExp(`<tr[^>]*data-case="${caseId}"[\\s\\S]*?</tr>`).exec(html)?.[0];
}

describe.each(STATES)("state walk: $name", (state) => {
  let caseId = "";
  beforeAll(async () => {
    caseId = await state.reach();
  });

  it.each(ROLES)("as the %s", async (role) => {
    const staff = crew[role];
    const page = await staff.casePage(caseId);
    expect(page).toContain(`data-testid="case-status" data-status="${state.status}">`);
    expect(emptySections(page)).toEqual([]);
    expect(page).toContain('data-testid="decisions"');
    expectNoStaffIds(page);
    if (state.blocker) expect(page).toContain(`data-blocker="${state.blocker}"`);

    const sees = state.sees[role];
    for (const testid of sees.enabled ?? []) {
      expect({ testid, tag: button(page, testid) }).toEqual({ testid, tag: expect.any(String) });
      expect({ testid, tag: button(page, testid) }).toEqual({
        testid,
        tag: expect.not.stringContaining("disabled"),
      });
    }
    for (const testid of sees.disabled ?? [])
      expect({ testid, tag: button(page, testid) }).toEqual({
        testid,
        tag: expect.stringContaining("disabled"),
      });
    expect(whys(page)).toEqual(expect.arrayContaining(sees.why ?? []));
    for (const words of sees.text ?? []) expect(textOf(page)).toContain(words);
    // Every disabled decision says why: a blocker, or a reason beside it.
    const disabledDecisions = [...page.matchAll(/<button[^>]*disabled[^>]*>/g)].length;
    if (disabledDecisions > 0)
      expect(whys(page).length + (state.blocker ? 1 : 0)).toBeGreaterThan(0);

    const holder = state.holder;
    if (holder)
      expect(textOf(page)).toContain(holder === role ? "Assigned you" : `Assigned ${NAME[holder]}`);

    // The queue lists it in its tab, and names who holds it.
    const queue = await staff.queue({ queue: state.queue });
    const row = queueRow(queue, caseId);
    expect(row).toBeDefined();
    expectNoStaffIds(queue);
    const assignee = /data-testid="assignee">([^<]*)</.exec(row ?? "")?.[1];
    expect(assignee).toBe(!holder ? "—" : holder === role ? "you" : `claimed by ${NAME[holder]}`);

    // Deliveries: the admin sees every failing one; others are told the page is not theirs.
    const deliveries = await staff.deliveriesPage();
    if (role === "admin") {
      expect(emptySections(deliveries)).toEqual([]);
      expect(textOf(deliveries)).not.toMatch(/\bNone\.?\b/);
    } else {
      expect(deliveries).toBe("redirect:/admin?error=forbidden");
      expect(textOf(await staff.queue({ error: "forbidden" }))).toContain(
        "Your role does not allow that.",
      );
    }
  });
});

describe("deliveries through the walk", () => {
  it("lists each failing delivery with its destination, attempts, last error and next attempt; dead ones with a replay", async () => {
    const w = world();
    let page = await crew.admin.deliveriesPage();
    const failing = [...page.matchAll(/<tr data-state="failing">([\s\S]*?)<\/tr>/g)].map((m) =>
      textOf(m[1]!),
    );
    expect(failing.length).toBeGreaterThan(5);
    // Destination, event, attempts, last error, next attempt: in words, the receiver's own
    // error text only after ours.
    for (const row of failing) expect(row).toMatch(/^.+ [1-9]\d* .+ \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(failing).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^Webhook crm Case status changed [1-9]\d* The receiver answered with an error HTTP 503/,
        ),
      ]),
    );
    expect(page).toContain('data-error-kind="http_status"');
    expect(textOf(page)).not.toMatch(/webhook:crm|case\.status_changed/);
    expect(page).toMatch(new RegExp(`data-state="failing">${failing.length}<`));
    expect(page).not.toContain('data-testid="replay-dead"');

    // Days pass with the CRM still down: the retries (15, over at least 72 h) run out.
    let now = Date.now();
    for (let pass = 0; pass < 40; pass++) {
      now += 12 * HOUR;
      await w.worker(new Date(now));
    }
    for (const role of ROLES) await crew[role].signIn();
    page = await crew.admin.deliveriesPage();
    expect(emptySections(page)).toEqual([]);
    const dead = [...page.matchAll(/<tr data-state="dead">([\s\S]*?)<\/tr>/g)];
    expect(dead.length).toBeGreaterThanOrEqual(failing.length);
    for (const [row] of dead) expect(row).toContain("Replay");
    expect(page).toMatch(new RegExp(`data-state="dead">${dead.length}<`));
    expect(textOf(page)).toContain(`Replay all ${dead.length}`);
  });
});
