import {
  caseHref,
  parseQueueParams,
  queueContextOf,
  queueFilterOf,
  queueHref,
} from "@/lib/review/queue";
import { latinReading, parseSearch, searchTermsOf } from "@/lib/review/search";

const staff = { id: "5b0d4c1e-58a4-4f2e-9c43-1b0f3f9f0d11" };
const now = new Date("2026-03-02T12:00:00Z");

describe("queue URL", () => {
  it("reads every filter, the search, the sort and the page", () => {
    const p = parseQueueParams({
      queue: "waiting",
      q: "  ivan  ",
      status: "action_required",
      level: "enhanced",
      risk: "high",
      trigger: "first_deposit",
      assignee: "unassigned",
      minHours: "12",
      escalated: "1",
      monitoring: "1",
      checksFailed: "1",
      overdue: "1",
      sort: "newest",
      page: "3",
      per: "25",
    });
    expect(p).toEqual({
      queue: "waiting",
      q: "ivan",
      status: "action_required",
      level: "enhanced",
      risk: "high",
      trigger: "first_deposit",
      assignee: "unassigned",
      minHours: 12,
      escalated: "1",
      monitoring: "1",
      checksFailed: "1",
      overdue: "1",
      sort: "newest",
      page: 3,
      per: 25,
    });
  });

  it("falls back to the default for every value it does not accept", () => {
    expect(
      parseQueueParams({
        queue: "all",
        status: "open",
        level: "Robert'); drop",
        risk: ["high", "low"],
        trigger: "whim",
        assignee: "someone",
        minHours: "-4",
        escalated: "true",
        sort: "random",
        page: "0",
        per: "7",
      }),
    ).toEqual({ queue: "review", risk: "high", sort: "oldest", page: 1, per: 50 });
    expect(parseQueueParams({})).toEqual({ queue: "review", sort: "oldest", page: 1, per: 50 });
    // Only the offered sizes: a huge page would read the whole queue at once.
    expect(parseQueueParams({ per: "100000" }).per).toBe(50);
  });

  it("writes back the URL it reads, defaults left out", () => {
    const p = parseQueueParams({ q: "a b", risk: "low", page: "2", sort: "oldest", per: "10" });
    expect(queueHref(p)).toBe("/admin?q=a+b&risk=low&page=2&per=10");
    expect(queueHref({ ...p, per: 50 })).toBe("/admin?q=a+b&risk=low&page=2");
    expect(
      parseQueueParams(Object.fromEntries(new URL(queueHref(p), "http://x").searchParams)),
    ).toEqual(p);
    expect(queueHref(parseQueueParams({}))).toBe("/admin");
  });

  it("echoes a case form's queue context with only the queue's own filters and order", () => {
    expect(queueContextOf("queue=waiting&risk=high&q=ivan+petrov&sort=newest")).toBe(
      "queue=waiting&sort=newest&q=ivan+petrov&risk=high",
    );
    // The page, a cursor, an outcome, another URL and unknown values do not come back.
    expect(
      queueContextOf(
        "queue=review&page=3&after=5b0d4c1e-58a4-4f2e-9c43-1b0f3f9f0d11&outcome=approved" +
          "&error=failed&next=https%3A%2F%2Fevil.example%2F&risk=extreme&status=approved",
      ),
    ).toBe("queue=review&sort=oldest&status=approved");
    // No queue named, or one that does not exist: the case was not opened from a queue.
    for (const raw of ["", "risk=high", "queue=everything&risk=high", "//evil.example/?x=1"])
      expect(queueContextOf(raw)).toBe("");
  });

  it("links a case in its queue context, with what a link or an action adds replacing its own", () => {
    const id = "0c6f5b8e-1d2a-4c3b-9e4f-5a6b7c8d9e0f";
    expect(caseHref(id)).toBe(`/admin/cases/${id}`);
    expect(caseHref(id, "queue=waiting&sort=risk")).toBe(
      `/admin/cases/${id}?queue=waiting&sort=risk`,
    );
    expect(caseHref(id, "", { prefill: "blurry" })).toBe(`/admin/cases/${id}?prefill=blurry`);
    expect(caseHref(id, "queue=waiting&done=claimed", { done: "approved" })).toBe(
      `/admin/cases/${id}?queue=waiting&done=approved`,
    );
  });

  it("turns 'me', SLA overdue and waiting hours into the query's filter", () => {
    const f = queueFilterOf(staff, parseQueueParams({ assignee: "me", overdue: "1" }), now);
    expect(f.assignee).toBe(staff.id);
    // REVIEW_TIME_HOURS of the test environment.
    expect(f.queuedBefore?.getTime()).toBeLessThan(now.getTime());
    const longer = queueFilterOf(staff, parseQueueParams({ minHours: "5000", overdue: "1" }), now);
    expect(longer.queuedBefore).toEqual(new Date(now.getTime() - 5000 * 3_600_000));
    expect(queueFilterOf(staff, parseQueueParams({}), now).statuses).toEqual([
      "submitted",
      "resubmitted",
      "in_review",
    ]);
  });

  it("applies 'over the review time' only to cases waiting for a person", () => {
    const waiting = queueFilterOf(staff, parseQueueParams({ queue: "waiting", overdue: "1" }), now);
    expect(waiting.queuedBefore).toBeUndefined();
    expect(waiting.statuses).toEqual(["action_required"]);
    const mixed = parseQueueParams({ queue: "review", status: "in_review", overdue: "1" });
    expect(queueFilterOf(staff, mixed, now).queuedBefore).toBeDefined();
  });
});

describe("queue search", () => {
  it("reads a case id, an e-mail, a number and name words", () => {
    const id = "5B0D4C1E-58A4-4F2E-9C43-1B0F3F9F0D11";
    expect(parseSearch(id)).toMatchObject({ caseId: id.toLowerCase(), nameHashes: [] });
    expect(parseSearch(" Jo@Example.com ")).toMatchObject({ email: "jo@example.com" });
    expect(parseSearch("7001234")?.number).toBe(7001234);
    expect(parseSearch("   ")).toBeUndefined();
  });

  it("hashes a name the same whatever the script, case or accents, and nothing readable", () => {
    const [stored] = searchTermsOf({ givenNames: "Иван", surnames: "" });
    expect(parseSearch("IVAN")?.nameHashes).toEqual([stored?.termHash]);
    expect(parseSearch("Иван")?.nameHashes).toEqual([stored?.termHash]);
    const garcia = searchTermsOf({ surnames: "García" })[0]?.termHash;
    expect(parseSearch("garcia")?.nameHashes).toEqual([garcia]);
    expect(stored?.termHash).not.toMatch(/ivan/i);
  });

  it("hashes a document number as printed or typed with separators alike", () => {
    const terms = searchTermsOf({ documentNumber: "AB 778-1234" });
    expect(terms).toEqual([
      { kind: "document_number", termHash: parseSearch("ab7781234")?.documentHash },
    ]);
    expect(parseSearch("ab7781235")?.documentHash).not.toBe(terms[0]?.termHash);
  });

  it("gives a Latin reading only to names in other scripts", () => {
    expect(latinReading("Иван Петров")).toBe("Ivan Petrov");
    expect(latinReading("张伟")).toBeDefined();
    expect(latinReading("María López")).toBeUndefined();
    expect(latinReading("Jonas")).toBeUndefined();
  });
});
