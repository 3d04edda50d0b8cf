/**
 * Scenario: ongoing monitoring. Approved traders are re-screened when `npm run lists:import`
 * brings a changed list; a new likely match opens a task a person sees in the queue, raises the
 * risk, tells the CRM, and restricts the trading account until someone decides: cleared by two
 * people (the hold is lifted) or confirmed and the approval withdrawn (no trading).
 */
import "./support/request-scope";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { and, eq, sql } from "drizzle-orm";
import { MONITORING_TASK } from "@/lib/db/queries/hold-tasks";
import {
  closeMonitoringTaskByDecision,
  closeReviewTask,
  getOpenReviewTask,
} from "@/lib/db/queries/review";
import { auditEvents, reviewTasks, staffUsers } from "@/lib/db/schema";
import { listCaseAuditEvents } from "@/lib/db/queries/audit";
import { textOf } from "../helpers/render-page";
import { PERSONAL } from "../fixtures/kyc-values";
import { approvedAtStandard, signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();

describe("scenario: a monitoring hit on approved traders", () => {
  it("reaches a person, holds the account, and ends cleared for one trader and revoked for another", async () => {
    const w = world();
    const list = path.join(w.dataDir, "broker-pep.csv");
    copyFileSync(path.join(__dirname, "../fixtures/sanctions/generic-pep.csv"), list);
    await w.runListsImportCommand([list]);

    const marta = { givenNames: "Marta", surnames: "Kowalczyk", dateOfBirth: "1984-03-09" };
    const first = new Trader(w, 450_001);
    const second = new Trader(w, 450_002);
    const reviewer = await signedInStaff(w, "mon.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "mon.approver@broker.example", "approver");
    for (const trader of [first, second]) {
      await trader.completeStandardLevel({ ...marta, nationalities: ["PL"] });
      await w.worker();
      expect(await reviewer.approve((await trader.currentCase()).id)).toBe("approved");
    }
    await w.worker();
    const firstCase = await first.currentCase();
    const secondCase = await second.currentCase();

    // The broker's list gains Marta Kowalczyk; the operator runs the import command.
    writeFileSync(list, `${readFileSync(list, "utf8")}Marta Kowalczyk,,1984-03-09,Poland\n`);
    const printed = await w.runListsImportCommand([list]);
    expect(printed).toMatch(/re-screened \d+ traders, 2 with a new likely match/);
    await w.worker();

    // A person sees it: the queue's monitoring filter, the case page with the hit.
    const queue = await reviewer.queue({ queue: "monitoring" });
    for (const c of [firstCase, secondCase]) {
      expect(queue).toContain(`data-case="${c.id}"`);
    }
    expect(queue).toContain('data-testid="monitoring-hit"');
    const page = await reviewer.casePage(firstCase.id);
    expect(page).toContain('data-testid="monitoring-task"');
    expect(page).toContain('data-testid="case-risk" data-risk="high">High');
    expect(textOf(page)).toContain("found by re-screening");
    const hitKey = /data-hit="([^"]+)"/.exec(page)?.[1];
    expect(hitKey).toMatch(/^broker-pep:/);

    // The CRM hears of it; cTrader restricts both accounts until someone decides.
    for (const c of [firstCase, secondCase])
      expect(w.crmEventsFor(c.id).map((e) => e.type)).toEqual([
        "case.status_changed",
        "case.status_changed",
        "case.status_changed",
        "case.monitoring_hit",
      ]);
    expect(w.accountUpdates.filter((u) => u.login === first.tradingLogin)).toEqual([
      { login: first.tradingLogin, accessRights: "FULL_ACCESS" },
      { login: first.tradingLogin, accessRights: "CLOSE_ONLY" },
    ]);

    // First trader: two people clear the hit; the hold is lifted.
    expect(
      await reviewer.judgeHit(firstCase.id, hitKey!, "false_positive", "Other DOB on ID"),
    ).toBe("hit_awaiting_second");
    expect(
      await approver.judgeHit(firstCase.id, hitKey!, "false_positive", "Passport checked again"),
    ).toBe("monitoring_cleared");
    await w.worker();
    expect(w.crmEventsFor(firstCase.id).at(-1)?.type).toBe("case.monitoring_cleared");
    expect(w.accountUpdates.filter((u) => u.login === first.tradingLogin).at(-1)).toEqual({
      login: first.tradingLogin,
      accessRights: "FULL_ACCESS",
    });
    expect(await reviewer.queue({ queue: "monitoring" })).not.toContain(
      `data-case="${firstCase.id}"`,
    );

    // Second trader: the match is confirmed and an approver withdraws the approval.
    expect(await reviewer.judgeHit(secondCase.id, hitKey!, "confirmed", "Same person")).toBe(
      "hit_confirmed",
    );
    expect(await reviewer.reject(secondCase.id, "sanctions_match")).toBe("error:needs_approver");
    expect(await approver.reject(secondCase.id, "sanctions_match", "Listed since today")).toBe(
      "rejected_final",
    );
    await w.worker();
    expect(await second.status()).toBe("rejected");
    expect(w.crmEventsFor(secondCase.id).at(-1)).toMatchObject({
      type: "case.status_changed",
      status: "rejected",
      event: "revoke",
    });
    expect(w.accountUpdates.filter((u) => u.login === second.tradingLogin).at(-1)).toEqual({
      login: second.tradingLogin,
      accessRights: "NO_TRADING",
    });
    expect(await reviewer.queue({ queue: "monitoring" })).not.toContain(
      `data-case="${secondCase.id}"`,
    );
    // The next launch shows the final decision.
    await second.launch("kyc");
    expect(await second.html("kyc")).toContain('data-testid="final-rejection"');
  });
});

describe("scenario: a monitoring hit while the trader's upgrade is open", () => {
  it("re-screens the approval in force, holds it, and lets the upgrade be approved only once two people cleared the hit", async () => {
    const w = world();
    const list = path.join(w.dataDir, "upgrade-pep.csv");
    copyFileSync(path.join(__dirname, "../fixtures/sanctions/generic-pep.csv"), list);
    await w.runListsImportCommand([list]);
    const jonas = { givenNames: "Jonas", surnames: "Lindqvist", dateOfBirth: "1979-11-23" };
    const trader = new Trader(w, 450_101);
    const reviewer = await signedInStaff(w, "upmon.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "upmon.approver@broker.example", "approver");
    const second = await signedInStaff(w, "upmon.second@broker.example", "approver");
    const kycCase = await approvedAtStandard(w, trader, reviewer, jonas);

    // cTrader asks for enhanced; the trader sends it and the checks (on the lists of the day)
    // pass it to a person.
    await trader.sendEnhancedUpgrade();
    await w.worker();
    expect(await trader.status()).toBe("in_review");
    const heardBefore = w.crmEventsFor(kycCase.id).length;

    // The broker's list gains Jonas Lindqvist before anyone decided the upgrade.
    writeFileSync(list, `${readFileSync(list, "utf8")}Jonas Lindqvist,,1979-11-23,Sweden\n`);
    expect(await w.runListsImportCommand([list])).toMatch(/, 1 with a new likely match/);
    await w.worker();

    // The approval in force is held: the task, the CRM's alert with the upgrade's status, the
    // account restricted; the upgrade cannot be approved on it.
    expect(await reviewer.queue({ queue: "monitoring" })).toContain(`data-case="${kycCase.id}"`);
    const page = await approver.casePage(kycCase.id);
    expect(page).toContain('data-testid="monitoring-task"');
    expect(page).toContain('data-blocker="approval_on_hold"');
    expect(
      w
        .crmEventsFor(kycCase.id)
        .slice(heardBefore)
        .map((e) => [e.type, e.status]),
    ).toEqual([["case.monitoring_hit", "in_review"]]);
    const rights = () =>
      w.accountUpdates.filter((u) => u.login === trader.tradingLogin).map((u) => u.accessRights);
    expect(rights().at(-1)).toBe("CLOSE_ONLY");
    expect(await approver.approve(kycCase.id)).toBe("error:approval_on_hold");
    expect(await trader.status()).toBe("in_review");

    // Two people clear it in the console: the hold is lifted and the upgrade can be approved
    // (four eyes: the hit raised the risk).
    const hitKey = /data-hit="(upgrade-pep:[^"]+)"/.exec(page)?.[1];
    expect(hitKey).toBeDefined();
    expect(await reviewer.judgeHit(kycCase.id, hitKey!, "false_positive", "Other DOB on ID")).toBe(
      "hit_awaiting_second",
    );
    expect(await approver.approve(kycCase.id)).toBe("error:approval_on_hold");
    expect(
      await approver.judgeHit(kycCase.id, hitKey!, "false_positive", "Passport checked again"),
    ).toBe("monitoring_cleared");
    await w.worker();
    expect(w.crmEventsFor(kycCase.id).at(-1)).toMatchObject({
      type: "case.monitoring_cleared",
      status: "in_review",
    });
    expect(rights().at(-1)).toBe("FULL_ACCESS");
    expect(await approver.casePage(kycCase.id)).not.toContain('data-blocker="approval_on_hold"');
    const outcome = await approver.approve(kycCase.id);
    if (outcome === "awaiting_co_sign") expect(await second.approve(kycCase.id)).toBe("approved");
    else expect(outcome).toBe("approved");
    await w.worker();
    const after = await trader.currentCase();
    expect([after.status, after.level, after.approvedLevel]).toEqual([
      "approved",
      "enhanced",
      "enhanced",
    ]);
    expect(await reviewer.queue({ queue: "monitoring" })).not.toContain(
      `data-case="${kycCase.id}"`,
    );
  });
});

describe("scenario: re-screening an open upgrade whose personal step the trader is editing", () => {
  it("screens the answers the approval in force rests on, not the half-edited draft, and opens the monitoring hit", async () => {
    const w = world();
    const list = path.join(w.dataDir, "editing-pep.csv");
    copyFileSync(path.join(__dirname, "../fixtures/sanctions/generic-pep.csv"), list);
    await w.runListsImportCommand([list]);
    const astrid = { givenNames: "Astrid", surnames: "Holmberg", dateOfBirth: "1981-05-14" };
    const trader = new Trader(w, 450_201);
    const reviewer = await signedInStaff(w, "edit.reviewer@broker.example", "reviewer");
    const kycCase = await approvedAtStandard(w, trader, reviewer, astrid);

    // The upgrade is sent, and the reviewer asks the trader to look at their personal details
    // again: the trader starts retyping the surname and leaves the step half-edited.
    await trader.sendEnhancedUpgrade();
    await w.worker();
    expect(
      await reviewer.requestInformation(kycCase.id, ["step:personal"], "Please check your name."),
    ).toBe("action_requested");
    await trader.launch("kyc");
    expect(
      await trader.autosave("personal", { givenNames: "Astrid", surnames: "Holm" }, 1),
    ).toMatchObject({ http: 200, status: "saved" });
    await w.worker();
    const heardBefore = w.crmEventsFor(kycCase.id).length;

    // The broker's list gains Astrid Holmberg while the trader is still editing.
    writeFileSync(list, `${readFileSync(list, "utf8")}Astrid Holmberg,,1981-05-14,Sweden\n`);
    expect(await w.runListsImportCommand([list])).toMatch(
      /re-screened \d+ traders, 1 with a new likely match/,
    );
    await w.worker();

    expect(await reviewer.queue({ queue: "monitoring" })).toContain(`data-case="${kycCase.id}"`);
    const page = await reviewer.casePage(kycCase.id);
    expect(page).toContain('data-testid="monitoring-task"');
    expect(page).toMatch(/data-hit="editing-pep:[^"]+"/);
    expect(
      w
        .crmEventsFor(kycCase.id)
        .slice(heardBefore)
        .map((e) => [e.type, e.status]),
    ).toEqual([["case.monitoring_hit", "action_required"]]);
    expect(
      w.accountUpdates.filter((u) => u.login === trader.tradingLogin).at(-1)?.accessRights,
    ).toBe("CLOSE_ONLY");
    // What the trader typed is still theirs to finish.
    expect(await trader.html("kyc", { step: "personal" })).toContain('value="Holm"');
  });
});

/**
 * An approved trader whom the next import of the broker's list (`<tag>-pep.csv`) finds: the
 * monitoring task opens and holds her account. The hit as the case page names it.
 */
async function approvedThenListed(
  userId: number,
  tag: string,
  person: { givenNames: string; surnames: string; dateOfBirth: string },
) {
  const w = world();
  const list = path.join(w.dataDir, `${tag}-pep.csv`);
  copyFileSync(path.join(__dirname, "../fixtures/sanctions/generic-pep.csv"), list);
  await w.runListsImportCommand([list]);
  const trader = new Trader(w, userId);
  const reviewer = await signedInStaff(w, `${tag}.reviewer@broker.example`, "reviewer");
  const approver = await signedInStaff(w, `${tag}.approver@broker.example`, "approver");
  const kycCase = await approvedAtStandard(w, trader, reviewer, person);

  const listed = `${person.givenNames} ${person.surnames},,${person.dateOfBirth},Norway`;
  writeFileSync(list, `${readFileSync(list, "utf8")}${listed}\n`);
  expect(await w.runListsImportCommand([list])).toMatch(/, 1 with a new likely match/);
  await w.worker();
  const hitKey = new RegExp(`data-hit="(${tag}-pep:[^"]+)"`).exec(
    await reviewer.casePage(kycCase.id),
  )?.[1];
  expect(hitKey).toBeDefined();
  const rights = () =>
    w.accountUpdates.filter((u) => u.login === trader.tradingLogin).map((u) => u.accessRights);
  expect(rights().at(-1)).toBe("CLOSE_ONLY");
  return { w, trader, reviewer, approver, kycCase, hitKey: hitKey!, rights };
}

describe("scenario: a monitoring task whose hits cannot be read", () => {
  /**
   * An approved trader, a list import that finds her (the task opens and holds her account),
   * then the fault: the task's hits stored in a shape this version does not read (an entry as
   * `{entry: {id}}`, the drift that once crashed the case page).
   */
  async function unreadableTask(
    userId: number,
    tag: string,
    person: { givenNames: string; surnames: string; dateOfBirth: string },
  ) {
    const { w, trader, reviewer, approver, kycCase, hitKey, rights } = await approvedThenListed(
      userId,
      tag,
      person,
    );
    // A task that reads closes by itself: the approver's repair control is not for it.
    expect(await approver.casePage(kycCase.id)).not.toContain("monitoring-task-unreadable");
    expect(await approver.closeMonitoringTask(kycCase.id, "Closing it by hand")).toBe(
      "error:monitoring_task_readable",
    );

    await w.db.db.execute(sql`update review_tasks set data = jsonb_build_object(
        'runIds', data -> 'runIds',
        'hits', (select jsonb_agg(jsonb_build_object('source', h -> 'source',
          'entry', jsonb_build_object('id', h -> 'entryId'), 'score', h -> 'score'))
          from jsonb_array_elements(data -> 'hits') h))
      where case_id = ${kycCase.id} and closed_at is null`);
    const whyNot = async (who: typeof approver) =>
      /data-control="closeMonitoringTask" data-why="([^"]+)"/.exec(
        await who.casePage(kycCase.id),
      )?.[1];
    return { w, trader, reviewer, approver, kycCase, hitKey, rights, whyNot };
  }

  it("keeps the hold on when its hit is cleared, and an approver closes it with a reason once every hit is cleared", async () => {
    const { w, reviewer, approver, kycCase, hitKey, rights, whyNot } = await unreadableTask(
      450_301,
      "unreadable",
      { givenNames: "Ingrid", surnames: "Solberg", dateOfBirth: "1976-02-17" },
    );

    // The page says so; while the hit is not cleared nobody can close the task.
    expect(await approver.casePage(kycCase.id)).toContain(
      'data-testid="monitoring-task-unreadable"',
    );
    expect(await whyNot(approver)).toBe("likely_hit_open");
    expect(await approver.closeMonitoringTask(kycCase.id, "The hit is not ours")).toBe(
      "error:likely_hit_open",
    );

    // Two people clear the hit; the task cannot say which hits it holds, so it stays open.
    expect(await reviewer.judgeHit(kycCase.id, hitKey, "false_positive", "Other DOB on ID")).toBe(
      "hit_awaiting_second",
    );
    expect(
      await approver.judgeHit(kycCase.id, hitKey, "false_positive", "Passport checked again"),
    ).toBe("hit_cleared");
    await w.worker();
    expect(w.crmEventsFor(kycCase.id).map((e) => e.type)).not.toContain("case.monitoring_cleared");
    expect(rights().at(-1)).toBe("CLOSE_ONLY");
    expect(await reviewer.queue({ queue: "monitoring" })).toContain(`data-case="${kycCase.id}"`);
    expect(await approver.casePage(kycCase.id)).toContain('data-testid="monitoring-task"');
    const reported = await w.db.db
      .select({ data: auditEvents.data })
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.caseId, kycCase.id),
          eq(auditEvents.action, "screening.monitoring_task_unreadable"),
        ),
      );
    expect(reported).toEqual([
      {
        data: {
          taskId: expect.any(String),
          hitKey,
          unreadable: expect.arrayContaining(["hits.0.entryId"]),
        },
      },
    ]);

    // Closing it is an approver's decision, with a reason, confirmed.
    expect(await whyNot(reviewer)).toBe("needs_approver");
    expect(await reviewer.closeMonitoringTask(kycCase.id, "Both people cleared it")).toBe(
      "error:needs_approver",
    );
    expect(await whyNot(approver)).toBeUndefined();
    expect(await approver.caseForm(kycCase.id, "close-monitoring")).toMatchObject({
      caseId: kycCase.id,
    });
    expect(await approver.closeMonitoringTask(kycCase.id, "ok")).toBe("error:reason_required");
    const reason = "Hit cleared by two people; the task record is unreadable";
    expect(await approver.closeMonitoringTask(kycCase.id, reason, false)).toBe(
      "error:confirmation_required",
    );
    expect(rights().at(-1)).toBe("CLOSE_ONLY");

    // The close takes the task and the case's verdicts as they were read: one that finds the
    // task grown (a re-screening's hit joined) or a verdict given since (a match confirmed)
    // closes nothing and writes nothing.
    const task = (await getOpenReviewTask(kycCase.id, MONITORING_TASK))!;
    const shown = await approver.shownOn(kycCase.id);
    const [account] = await w.db.db
      .select({ id: staffUsers.id })
      .from(staffUsers)
      .where(eq(staffUsers.email, approver.email));
    const data = {
      taskId: task.id,
      resolution: "closed_unreadable" as const,
      clearedHits: [hitKey],
    };
    const closeAsRead = (asRead: { fingerprint: string; judgments: number }) =>
      closeMonitoringTaskByDecision({
        caseId: kycCase.id,
        staffId: account!.id,
        decision: MONITORING_TASK,
        internalNote: reason,
        data,
        now: new Date(),
        asRead: { taskId: task.id, eventSeq: Number(shown.shownSeq), ...asRead },
        outbox: () => {
          throw new Error("nothing was closed, so nothing is sent");
        },
        audit: {
          actorType: "staff",
          actorId: account!.id,
          action: "screening.monitoring_task_closed",
          caseId: kycCase.id,
          data,
        },
      });
    const judgments = 2;
    expect(await closeAsRead({ fingerprint: "an earlier read", judgments })).toBe(false);
    expect(await closeAsRead({ fingerprint: task.fingerprint, judgments: judgments - 1 })).toBe(
      false,
    );
    const closedAudit = () =>
      w.db.db
        .select({ data: auditEvents.data, actorType: auditEvents.actorType })
        .from(auditEvents)
        .where(
          and(
            eq(auditEvents.caseId, kycCase.id),
            eq(auditEvents.action, "screening.monitoring_task_closed"),
          ),
        );
    expect(await closedAudit()).toEqual([]);
    expect(await getOpenReviewTask(kycCase.id, MONITORING_TASK)).toMatchObject({ id: task.id });

    expect(await approver.closeMonitoringTask(kycCase.id, reason)).toBe("monitoring_task_closed");
    expect(await approver.closeMonitoringTask(kycCase.id, reason)).toBe("error:no_monitoring_task");

    // The hold is lifted as when a task closes by itself; the case's history says who and why.
    await w.worker();
    expect(w.crmEventsFor(kycCase.id).at(-1)?.type).toBe("case.monitoring_cleared");
    expect(rights().at(-1)).toBe("FULL_ACCESS");
    expect(await reviewer.queue({ queue: "monitoring" })).not.toContain(
      `data-case="${kycCase.id}"`,
    );
    const page = await approver.casePage(kycCase.id);
    expect(page).not.toContain('data-testid="monitoring-task"');
    expect(textOf(page)).toContain(
      `Monitoring task closed by unreadable.approver — note: ${reason}`,
    );
    expect(await closedAudit()).toEqual([
      {
        actorType: "staff",
        data: { taskId: task.id, resolution: "closed_unreadable", clearedHits: [hitKey] },
      },
    ]);
  });

  it("is not closed from a page read before the case moved on: the console says it changed", async () => {
    const { w, reviewer, approver, kycCase, hitKey } = await unreadableTask(450_311, "stalepage", {
      givenNames: "Torunn",
      surnames: "Haugland",
      dateOfBirth: "1969-08-23",
    });
    expect(await reviewer.judgeHit(kycCase.id, hitKey, "false_positive", "Other DOB on ID")).toBe(
      "hit_awaiting_second",
    );
    expect(
      await approver.judgeHit(kycCase.id, hitKey, "false_positive", "Passport checked again"),
    ).toBe("hit_cleared");
    const read = await approver.shownOn(kycCase.id);
    expect(await approver.casePage(kycCase.id)).toContain('data-testid="close-monitoring"');
    // Meanwhile the passport nears its expiry: the renewal notice goes out on the case.
    await w.worker(new Date("2031-04-15T00:00:00Z"));
    expect(w.crmEventsFor(kycCase.id).map((e) => e.type)).toContain("case.renewal_due");
    // The worker's clock ran years ahead: its housekeeping ended the sessions of today.
    await approver.signIn();
    const reason = "Hit cleared by two people; the task record is unreadable";
    expect(await approver.closeMonitoringTask(kycCase.id, reason, true, read)).toBe(
      "error:changed",
    );
    expect(await approver.casePage(kycCase.id)).toContain('data-testid="monitoring-task"');
    // Read again, the task is closed on the case as it is.
    expect(await approver.closeMonitoringTask(kycCase.id, reason)).toBe("monitoring_task_closed");
  });

  it("is not closed over a confirmed match: the approval is withdrawn instead", async () => {
    const { w, reviewer, approver, kycCase, hitKey, rights, whyNot } = await unreadableTask(
      450_302,
      "confirmed",
      { givenNames: "Astrid", surnames: "Nygaard", dateOfBirth: "1981-05-02" },
    );
    expect(await reviewer.judgeHit(kycCase.id, hitKey, "confirmed", "Same person")).toBe(
      "hit_confirmed",
    );
    expect(await whyNot(approver)).toBe("confirmed_match");
    expect(await approver.closeMonitoringTask(kycCase.id, "Closing the unreadable task")).toBe(
      "error:confirmed_match",
    );
    await w.worker();
    expect(rights().at(-1)).toBe("CLOSE_ONLY");
    expect(await approver.reject(kycCase.id, "sanctions_match", "Listed since today")).toBe(
      "rejected_final",
    );
    await w.worker();
    expect(rights().at(-1)).toBe("NO_TRADING");
    expect(await reviewer.queue({ queue: "monitoring" })).not.toContain(
      `data-case="${kycCase.id}"`,
    );
  });

  it("shows the hits it was opened for once a later round no longer does, and closes when they are cleared", async () => {
    const maren = { givenNames: "Maren", surnames: "Dahl", dateOfBirth: "1983-09-07" };
    const { w, trader, reviewer, approver, kycCase, hitKey, rights, whyNot } = await unreadableTask(
      450_303,
      "renamed",
      maren,
    );
    await upgradeUnderNewSurname(w, trader, reviewer, maren, "Lunde");

    // The new round, screened on the new surname, finds nobody; the hit the task holds is still
    // on the page, as found on the approval in force, and still to be judged.
    expect(await hitOnPage(approver, kycCase.id, hitKey)).toEqual({
      round: "1",
      level: "likely",
      state: "open",
    });
    expect(await whyNot(approver)).toBe("likely_hit_open");
    expect(await approver.closeMonitoringTask(kycCase.id, "No hit on the new name")).toBe(
      "error:likely_hit_open",
    );
    await w.worker();
    expect(rights().at(-1)).toBe("CLOSE_ONLY");

    expect(await reviewer.judgeHit(kycCase.id, hitKey, "false_positive", "Other DOB on ID")).toBe(
      "hit_awaiting_second",
    );
    expect(
      await approver.judgeHit(kycCase.id, hitKey, "false_positive", "Passport checked again"),
    ).toBe("hit_cleared");
    expect(await whyNot(approver)).toBeUndefined();
    expect(await approver.closeMonitoringTask(kycCase.id, "Both cleared the earlier hit")).toBe(
      "monitoring_task_closed",
    );
    await w.worker();
    expect(rights().at(-1)).toBe("FULL_ACCESS");
  });
});

/**
 * The trader upgrades; asked to look at their personal details again, they send a new surname.
 * The round that answer starts is screened on it.
 */
async function upgradeUnderNewSurname(
  w: ReturnType<typeof world>,
  trader: Trader,
  reviewer: Awaited<ReturnType<typeof signedInStaff>>,
  person: { givenNames: string; surnames: string; dateOfBirth: string },
  surnames: string,
) {
  const before = (await trader.currentCase()).round;
  await trader.sendEnhancedUpgrade();
  await w.worker();
  expect(
    await reviewer.requestInformation(
      (await trader.currentCase()).id,
      ["step:personal"],
      "Please check your name.",
    ),
  ).toBe("action_requested");
  await trader.launch("kyc");
  expect(await trader.continue("personal", { ...PERSONAL, ...person, surnames })).toEqual({
    redirect: "/inapp/kyc",
  });
  expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
  await w.worker();
  expect((await trader.currentCase()).round).toBeGreaterThan(before);
}

/** A hit as the case page shows it: the round that found it and its state (undefined: absent). */
async function hitOnPage(
  staff: Awaited<ReturnType<typeof signedInStaff>>,
  caseId: string,
  hitKey: string,
) {
  const page = await staff.casePage(caseId);
  const at = page.indexOf(`data-hit="${hitKey}"`);
  if (at < 0) return undefined;
  const tag = page.slice(at, page.indexOf(">", at));
  return {
    round: /data-round="([^"]*)"/.exec(tag)?.[1],
    level: /data-level="([^"]*)"/.exec(tag)?.[1],
    state: /data-state="([^"]*)"/.exec(tag)?.[1],
  };
}

describe("scenario: a monitoring hit on an approval the trader's next round renames", () => {
  /**
   * An approved trader the list finds (the task opens and holds the account); then an upgrade in
   * which, asked to check their name, the trader sends another surname.
   */
  async function renamedAfterHit(
    userId: number,
    tag: string,
    person: { givenNames: string; surnames: string; dateOfBirth: string },
    surnames: string,
  ) {
    const listed = await approvedThenListed(userId, tag, person);
    const { w, trader, reviewer } = listed;
    const second = await signedInStaff(w, `${tag}.second@broker.example`, "approver");
    await upgradeUnderNewSurname(w, trader, reviewer, person, surnames);
    return { ...listed, second };
  }

  /** Two people clear the task's hit: after the first the hold stays, the second lifts it. */
  async function clearedByTwo({
    w,
    reviewer,
    approver,
    kycCase,
    hitKey,
    rights,
  }: Omit<Awaited<ReturnType<typeof approvedThenListed>>, "trader">) {
    expect(await reviewer.judgeHit(kycCase.id, hitKey, "false_positive", "Other DOB on ID")).toBe(
      "hit_awaiting_second",
    );
    await w.worker();
    expect(rights().at(-1)).toBe("CLOSE_ONLY");
    expect(
      await approver.judgeHit(kycCase.id, hitKey, "false_positive", "Passport checked again"),
    ).toBe("monitoring_cleared");
    await w.worker();
  }

  it("keeps the task's likely sighting on the page when the new round sees the entry only weakly, and two people clear it", async () => {
    // "Sofie Borg" is the listed Sofie Berg at review level only: one person could clear that.
    const { w, trader, reviewer, approver, second, kycCase, hitKey, rights } =
      await renamedAfterHit(
        450_111,
        "earlier",
        { givenNames: "Sofie", surnames: "Berg", dateOfBirth: "1986-04-14" },
        "Borg",
      );
    const page = await approver.casePage(kycCase.id);
    expect(await hitOnPage(approver, kycCase.id, hitKey)).toEqual({
      round: "1",
      level: "likely",
      state: "open",
    });
    expect(textOf(page)).toContain("found in round 1 by a re-screening");
    expect(page).toContain('data-blocker="approval_on_hold"');
    expect(await approver.approve(kycCase.id)).toBe("error:approval_on_hold");

    // Two people clear it on this page: one is not enough, and then the task closes by itself.
    await clearedByTwo({ w, reviewer, approver, kycCase, hitKey, rights });
    expect(w.crmEventsFor(kycCase.id).at(-1)).toMatchObject({ type: "case.monitoring_cleared" });
    expect(rights().at(-1)).toBe("FULL_ACCESS");
    expect(await reviewer.queue({ queue: "monitoring" })).not.toContain(
      `data-case="${kycCase.id}"`,
    );

    // With the task closed the page shows the round's own sighting, cleared by the same
    // verdicts, and the upgrade is decided on the new round.
    expect(await hitOnPage(approver, kycCase.id, hitKey)).toEqual({
      round: String((await trader.currentCase()).round),
      level: "review",
      state: "cleared",
    });
    const outcome = await approver.approve(kycCase.id);
    if (outcome === "awaiting_co_sign") expect(await second.approve(kycCase.id)).toBe("approved");
    else expect(outcome).toBe("approved");
    await w.worker();
    const decided = await trader.currentCase();
    expect([decided.status, decided.level, decided.approvedLevel]).toEqual([
      "approved",
      "enhanced",
      "enhanced",
    ]);
  });

  it("counts the task's hit as likely even when its own run cannot be found, and the page still opens", async () => {
    const { w, reviewer, approver, kycCase, hitKey, rights } = await renamedAfterHit(
      450_113,
      "lostrun",
      { givenNames: "Ebba", surnames: "Berg", dateOfBirth: "1988-10-21" },
      "Borg",
    );
    // The fault: the task names its runs by something that is not a run id.
    await w.db.db.execute(sql`update review_tasks
      set data = jsonb_set(data, '{runIds}', '["run-1"]'::jsonb)
      where case_id = ${kycCase.id} and closed_at is null`);
    // The task no longer names the run, but round one's likely sighting nobody has cleared still
    // counts (carried-hit.test.ts): shown as round one's, at likely level, open.
    expect(await hitOnPage(approver, kycCase.id, hitKey)).toEqual({
      round: "1",
      level: "likely",
      state: "open",
    });
    await clearedByTwo({ w, reviewer, approver, kycCase, hitKey, rights });
    expect(rights().at(-1)).toBe("FULL_ACCESS");
  });

  it("once confirmed as a match, withdraws the approval from the open upgrade, and the match still counts after a reopen", async () => {
    const { w, trader, reviewer, approver, kycCase, hitKey, rights } = await renamedAfterHit(
      450_112,
      "matched",
      { givenNames: "Tove", surnames: "Lindahl", dateOfBirth: "1979-06-02" },
      "Holm",
    );
    expect(await hitOnPage(approver, kycCase.id, hitKey)).toMatchObject({ round: "1" });
    expect(await reviewer.judgeHit(kycCase.id, hitKey, "confirmed", "Same person")).toBe(
      "hit_confirmed",
    );
    // The upgrade can be neither approved nor declined back to an approval that cannot stand:
    // an approver takes the approval back with a final reason.
    expect(textOf(await approver.casePage(kycCase.id))).toContain(
      "a screening match is confirmed, so rejecting withdraws that approval",
    );
    expect(await approver.approve(kycCase.id)).toMatch(
      /^error:(approval_on_hold|confirmed_match)$/,
    );
    expect(await reviewer.casePage(kycCase.id)).toContain(
      'data-control="revoke" data-why="withdraw_needs_approver"',
    );
    expect(await reviewer.reject(kycCase.id, "sanctions_match", "Listed")).toBe(
      "error:needs_approver",
    );
    await approver.takeOver(kycCase.id);
    // Only final reasons are offered: a withdrawal is final.
    const reasons = [
      ...(await approver.casePage(kycCase.id)).matchAll(/<option value="([a-z_]+)"/g),
    ].map((m) => m[1]);
    expect(reasons).toContain("sanctions_match");
    expect(reasons).not.toContain("document_unreadable");
    expect(await approver.reject(kycCase.id, "document_unreadable")).toBe(
      "error:revoke_needs_final",
    );
    expect(await approver.reject(kycCase.id, "sanctions_match", "Listed since today")).toBe(
      "rejected_final",
    );
    await w.worker();
    // It ends at the level that was approved, not at the upgrade's, which never was.
    const revoked = await trader.currentCase();
    expect([revoked.status, revoked.level, revoked.approvedLevel]).toEqual([
      "rejected",
      "standard",
      null,
    ]);
    expect(rights().at(-1)).toBe("NO_TRADING");
    expect(w.crmEventsFor(kycCase.id).at(-1)).toMatchObject({
      type: "case.status_changed",
      status: "rejected",
      event: "revoke",
      payload: { case: { level: "standard", previousStatus: "in_review" } },
    });
    expect(await reviewer.queue({ queue: "monitoring" })).not.toContain(
      `data-case="${kycCase.id}"`,
    );

    // An admin reopens it: the confirmed match, from round 1, is still on the page and still
    // refuses the approval, as the database would.
    const admin = await signedInStaff(w, "matched.admin@broker.example", "admin");
    expect(await admin.reopen(kycCase.id, "Second look at the file")).toBe("reopened");
    expect(await hitOnPage(admin, kycCase.id, hitKey)).toMatchObject({
      round: "1",
      state: "confirmed",
    });
    expect(await admin.casePage(kycCase.id)).toContain('data-blocker="confirmed_match"');
    expect(await admin.approve(kycCase.id)).toBe("error:confirmed_match");
  });
});

describe("scenario: a second monitoring hit before the first is decided", () => {
  it("joins the open task, which lifts the hold only once both hits are cleared", async () => {
    const w = world();
    const list = path.join(w.dataDir, "second-pep.csv");
    copyFileSync(path.join(__dirname, "../fixtures/sanctions/generic-pep.csv"), list);
    await w.runListsImportCommand([list]);
    const henrik = { givenNames: "Henrik", surnames: "Aasland", dateOfBirth: "1972-08-30" };
    const trader = new Trader(w, 450_401);
    const reviewer = await signedInStaff(w, "second.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "second.approver@broker.example", "approver");
    const kycCase = await approvedAtStandard(w, trader, reviewer, henrik);
    const rights = () =>
      w.accountUpdates.filter((u) => u.login === trader.tradingLogin).map((u) => u.accessRights);
    const hitKeys = async () =>
      [...(await reviewer.casePage(kycCase.id)).matchAll(/data-hit="(second-pep:[^"]+)"/g)].map(
        (m) => m[1]!,
      );

    // The list gains him, and with the next import a second entry for him (its own line). The
    // task as a clearing reads it in between is not the task after the second import.
    let readBefore: Awaited<ReturnType<typeof getOpenReviewTask>>;
    for (let time = 1; time <= 2; time++) {
      writeFileSync(list, `${readFileSync(list, "utf8")}Henrik Aasland,,1972-08-30,Norway\n`);
      expect(await w.runListsImportCommand([list])).toMatch(/, 1 with a new likely match/);
      await w.worker();
      readBefore ??= await getOpenReviewTask(kycCase.id, MONITORING_TASK);
    }
    // A clearing that read the task before the second hit joined closes nothing: the automatic
    // close takes the task only as read (lib/review/screening-hits.ts settleMonitoringTask).
    const [account] = await w.db.db
      .select({ id: staffUsers.id })
      .from(staffUsers)
      .where(eq(staffUsers.email, approver.email));
    expect(
      await closeReviewTask({
        caseId: kycCase.id,
        kind: MONITORING_TASK,
        staffId: account!.id,
        resolution: "cleared",
        now: new Date(),
        asRead: { taskId: readBefore!.id, fingerprint: readBefore!.fingerprint },
      }),
    ).toBe(false);
    expect(await getOpenReviewTask(kycCase.id, MONITORING_TASK)).toMatchObject({
      id: readBefore!.id,
      data: { hits: [expect.anything(), expect.anything()] },
    });
    const [firstHit, secondHit, ...more] = [...new Set(await hitKeys())];
    expect([firstHit, secondHit, more]).toEqual([expect.any(String), expect.any(String), []]);
    expect(w.crmEventsFor(kycCase.id).filter((e) => e.type === "case.monitoring_hit")).toHaveLength(
      2,
    );
    expect(rights().at(-1)).toBe("CLOSE_ONLY");

    // Two people clear one hit: the other still holds the account.
    expect(
      await reviewer.judgeHit(kycCase.id, firstHit!, "false_positive", "Other DOB on ID"),
    ).toBe("hit_awaiting_second");
    expect(await approver.judgeHit(kycCase.id, firstHit!, "false_positive", "Passport seen")).toBe(
      "hit_cleared",
    );
    await w.worker();
    expect(w.crmEventsFor(kycCase.id).map((e) => e.type)).not.toContain("case.monitoring_cleared");
    expect(rights().at(-1)).toBe("CLOSE_ONLY");

    // The second hit cleared too: the hold is lifted.
    expect(
      await reviewer.judgeHit(kycCase.id, secondHit!, "false_positive", "Other DOB on ID"),
    ).toBe("hit_awaiting_second");
    expect(await approver.judgeHit(kycCase.id, secondHit!, "false_positive", "Passport seen")).toBe(
      "monitoring_cleared",
    );
    await w.worker();
    expect(w.crmEventsFor(kycCase.id).at(-1)?.type).toBe("case.monitoring_cleared");
    expect(rights().at(-1)).toBe("FULL_ACCESS");
  });
});

describe("scenario: a monitoring task a second hit emptied before migration 0039", () => {
  it("is rebuilt from the re-screening's audit entries, and closes once both hits are cleared", async () => {
    const w = world();
    const list = path.join(w.dataDir, "emptied-pep.csv");
    copyFileSync(path.join(__dirname, "../fixtures/sanctions/generic-pep.csv"), list);
    await w.runListsImportCommand([list]);
    const sigrid = { givenNames: "Sigrid", surnames: "Nygaard", dateOfBirth: "1969-04-03" };
    const trader = new Trader(w, 450_501);
    const reviewer = await signedInStaff(w, "emptied.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "emptied.approver@broker.example", "approver");
    const kycCase = await approvedAtStandard(w, trader, reviewer, sigrid);
    for (let time = 1; time <= 2; time++) {
      writeFileSync(list, `${readFileSync(list, "utf8")}Sigrid Nygaard,,1969-04-03,Norway\n`);
      expect(await w.runListsImportCommand([list])).toMatch(/, 1 with a new likely match/);
      await w.worker();
    }
    const task = sql`case_id = ${kycCase.id} and kind = 'monitoring_hit' and closed_at is null`;
    const stored = () => w.db.db.select({ data: reviewTasks.data }).from(reviewTasks).where(task);
    const [before] = await stored();

    // What the merge of releases before 0039 stored on a second hit (no current flow writes it).
    await w.db.db.execute(sql`update review_tasks
      set data = '{"runIds": null, "hits": null}'::jsonb where ${task}`);
    const migration = readFileSync(
      path.join(__dirname, "../../drizzle/0039_monitoring_tasks_rebuilt.sql"),
      "utf8",
    );
    await w.db.db.execute(sql.raw(migration));
    const [after] = await stored();
    expect(after).toEqual(before);

    const hitKeys = [
      ...new Set(
        [...(await reviewer.casePage(kycCase.id)).matchAll(/data-hit="(emptied-pep:[^"]+)"/g)].map(
          (m) => m[1]!,
        ),
      ),
    ];
    expect(hitKeys).toHaveLength(2);
    const outcomes = [];
    for (const hitKey of hitKeys) {
      await reviewer.judgeHit(kycCase.id, hitKey, "false_positive", "Other DOB on ID");
      outcomes.push(await approver.judgeHit(kycCase.id, hitKey, "false_positive", "Passport seen"));
    }
    expect(outcomes).toEqual(["hit_cleared", "monitoring_cleared"]);
  });
});

/** The generic PEP list with one more entry, imported as its own list (named by `file`). */
async function pepListWith(w: ReturnType<typeof world>, file: string, line: string) {
  const list = path.join(w.dataDir, file);
  copyFileSync(path.join(__dirname, "../fixtures/sanctions/generic-pep.csv"), list);
  writeFileSync(list, `${readFileSync(list, "utf8")}${line}\n`);
  await w.runListsImportCommand([list]);
  return list;
}

describe("scenario: a cleared hit that the list later describes as the trader", () => {
  it("reaches a person again when the listed date of birth turns out to be hers, and only once", async () => {
    const w = world();
    // Listed without a date of birth or a country: her exact name alone is a likely match.
    const list = await pepListWith(w, "closer-pep.csv", "Gunnhild Tveitane,,,");
    const gunnhild = { givenNames: "Gunnhild", surnames: "Tveitane", dateOfBirth: "1977-03-15" };
    const trader = new Trader(w, 450_601);
    const reviewer = await signedInStaff(w, "closer.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "closer.approver@broker.example", "approver");
    await trader.completeStandardLevel(gunnhild);
    await w.worker();
    const kycCase = await trader.currentCase();
    const hitOn = async () =>
      new RegExp(`data-hit="(closer-pep:[^"]+)"[^>]*`).exec(await reviewer.casePage(kycCase.id));
    const found = await hitOn();
    const key = found?.[1] ?? "no hit";
    expect(found?.[0]).toContain('data-level="likely"');
    // Cleared by two people on what the list said then, and approved with four eyes.
    expect(
      await reviewer.judgeHit(kycCase.id, key, "false_positive", "No date of birth listed at all"),
    ).toBe("hit_awaiting_second");
    expect(
      await approver.judgeHit(kycCase.id, key, "false_positive", "Common name, nothing more"),
    ).toBe("hit_cleared");
    expect(await reviewer.approve(kycCase.id)).toBe("awaiting_co_sign");
    expect(await approver.approve(kycCase.id)).toBe("approved");
    await w.worker();
    const rights = () =>
      w.accountUpdates.filter((u) => u.login === trader.tradingLogin).map((u) => u.accessRights);
    const monitoringHits = () =>
      w.crmEventsFor(kycCase.id).filter((e) => e.type === "case.monitoring_hit");
    expect(rights()).toEqual(["FULL_ACCESS"]);

    // The list's next version gives the listed person's date of birth: hers.
    writeFileSync(
      list,
      readFileSync(list, "utf8").replace("Gunnhild Tveitane,,,", "Gunnhild Tveitane,,1977-03-15,"),
    );
    expect(await w.runListsImportCommand([list])).toMatch(/, 1 with a new likely match/);
    await w.worker();
    expect(monitoringHits()).toHaveLength(1);
    expect(rights().at(-1)).toBe("CLOSE_ONLY");
    // The clearings were given on less: the hit is open again, and two people judge it anew.
    expect((await hitOn())?.[0]).toContain('data-state="open"');
    expect(
      await approver.judgeHit(kycCase.id, key, "false_positive", "Same birth date now, re-check"),
    ).toBe("hit_awaiting_second");

    // Another change to the list, not about her: she is not announced a second time.
    writeFileSync(list, `${readFileSync(list, "utf8")}Petter Hovland,,1966-01-02,Norway\n`);
    expect(await w.runListsImportCommand([list])).not.toMatch(/, [1-9]\d* with a new likely match/);
    await w.worker();
    expect(monitoringHits()).toHaveLength(1);
  });
});

describe("scenario: an approver clears a monitoring hit the list then describes more strongly", () => {
  it("records nothing on the sighting the page showed before: the console says the case changed, the hold stays, and the page read again is judged", async () => {
    const w = world();
    const list = await pepListWith(w, "seen-pep.csv", "Solveig Hatlestad,,,");
    const reviewer = await signedInStaff(w, "seen.reviewer@broker.example", "reviewer");
    const approver = await signedInStaff(w, "seen.approver@broker.example", "approver");
    const solveig = { givenNames: "Solveig", surnames: "Hatlestad", dateOfBirth: "1969-08-30" };
    const trader = new Trader(w, 450_801);
    await trader.completeStandardLevel(solveig);
    await w.worker();
    const kycCase = await trader.currentCase();
    const key = /data-hit="(seen-pep:[^"]+)"/.exec(await reviewer.casePage(kycCase.id))?.[1] ?? "";
    expect(await reviewer.judgeHit(kycCase.id, key, "false_positive", "No birth date listed")).toBe(
      "hit_awaiting_second",
    );
    expect(await approver.judgeHit(kycCase.id, key, "false_positive", "Common name only")).toBe(
      "hit_cleared",
    );
    expect(await reviewer.approve(kycCase.id)).toBe("awaiting_co_sign");
    expect(await approver.approve(kycCase.id)).toBe("approved");
    await w.worker();
    const rights = () =>
      w.accountUpdates.filter((u) => u.login === trader.tradingLogin).map((u) => u.accessRights);
    const verdicts = async () =>
      (await listCaseAuditEvents(kycCase.id)).filter((e) =>
        ["screening.false_positive", "screening.confirmed"].includes(e.action),
      );
    const giveDateOfBirth = async (dateOfBirth: string) => {
      writeFileSync(
        list,
        readFileSync(list, "utf8").replace(
          /Solveig Hatlestad,,[^,]*,/,
          `Solveig Hatlestad,,${dateOfBirth},`,
        ),
      );
      await w.runListsImportCommand([list]);
      await w.worker();
    };

    // The list's next version gives a date of birth of the same year: the hit is seen more
    // strongly, the account is held, and a reviewer clears it again.
    await giveDateOfBirth("1969");
    expect(rights().at(-1)).toBe("CLOSE_ONLY");
    expect(await reviewer.judgeHit(kycCase.id, key, "false_positive", "Only the year agrees")).toBe(
      "hit_awaiting_second",
    );
    // The approver reads the hit as it stands: the year alone.
    const read = await approver.hitForm(kycCase.id, key);
    const judgedBefore = (await verdicts()).length;

    // Before the approver clears it, the list's next version gives her full date of birth.
    await giveDateOfBirth("1969-08-30");
    const now = await approver.hitForm(kycCase.id, key);
    expect(Number(now.strength)).toBeGreaterThan(Number(read.strength));

    // The clearing written on the page read before is not taken for the stronger sighting.
    expect(
      await approver.judgeHit(kycCase.id, key, "false_positive", "Year only, not her", false, read),
    ).toBe("error:changed");
    await w.worker();
    expect(await verdicts()).toHaveLength(judgedBefore);
    expect(rights().at(-1)).toBe("CLOSE_ONLY");
    const page = await approver.casePage(kycCase.id, { error: "changed" });
    expect(textOf(page)).toContain("The case changed meanwhile. Reload and try again.");
    expect(page).toContain('data-testid="monitoring-task"');

    // Read again, two people judge the sighting there is now, and the hold is lifted.
    expect(
      await approver.judgeHit(kycCase.id, key, "false_positive", "Full date checked: not her"),
    ).toBe("hit_awaiting_second");
    expect((await verdicts()).at(-1)?.data).toMatchObject({
      runId: now.runId,
      strength: Number(now.strength),
    });
    expect(
      await reviewer.judgeHit(kycCase.id, key, "false_positive", "Agreed, passport differs"),
    ).toBe("monitoring_cleared");
    await w.worker();
    expect(rights().at(-1)).toBe("FULL_ACCESS");
  });
});

describe("scenario: two reviewers' clearings that stand again in a later round", () => {
  it("still need an approver's: the hit awaits a second person, and the approval waits", async () => {
    const w = world();
    const list = await pepListWith(w, "again-pep.csv", "Ingrid Solbakken,,,");
    const ingrid = { givenNames: "Ingrid", surnames: "Solbakken", dateOfBirth: "1981-04-20" };
    const trader = new Trader(w, 450_701);
    const first = await signedInStaff(w, "again.reviewer1@broker.example", "reviewer");
    const second = await signedInStaff(w, "again.reviewer2@broker.example", "reviewer");
    const approver = await signedInStaff(w, "again.approver@broker.example", "approver");
    await trader.completeStandardLevel(ingrid);
    await w.worker();
    const kycCase = await trader.currentCase();
    const hitOn = async () =>
      new RegExp(`data-hit="(again-pep:[^"]+)"[^>]*`).exec(await first.casePage(kycCase.id));
    const key = (await hitOn())?.[1] ?? "no hit";
    expect(
      await first.judgeHit(kycCase.id, key, "false_positive", "No date of birth listed at all"),
    ).toBe("hit_awaiting_second");
    // While the case waits, the list gives her date of birth: the first clearing no longer
    // stands, and the second reviewer may clear the stronger sighting as the first person.
    writeFileSync(
      list,
      readFileSync(list, "utf8").replace("Ingrid Solbakken,,,", "Ingrid Solbakken,,1981-04-20,"),
    );
    await w.runListsImportCommand([list]);
    await w.worker();
    expect((await hitOn())?.[0]).toContain('data-state="open"');
    expect(
      await second.judgeHit(kycCase.id, key, "false_positive", "Checked the passport photo"),
    ).toBe("hit_awaiting_second");
    // Her document shows another month: corrected, the next round sees her no more strongly
    // than the first reviewer did, and both reviewers' clearings stand. Neither is an approver.
    expect(
      await first.requestInformation(kycCase.id, ["step:personal"], "Check your birth date."),
    ).toBe("action_requested");
    await trader.launch("kyc");
    await trader.continue("personal", { ...PERSONAL, ...ingrid, dateOfBirth: "1981-11-02" });
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    const after = (await hitOn())?.[0];
    expect(after).toContain('data-level="likely"');
    expect(after).toContain('data-state="awaiting_second"');
    expect(await approver.approve(kycCase.id)).toBe("error:likely_hit_open");
    expect(
      await approver.judgeHit(kycCase.id, key, "false_positive", "Another month, another person"),
    ).toBe("hit_cleared");
  });
});
