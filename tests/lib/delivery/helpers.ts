/** Shared by the delivery tests: a case ready for status changes, and delivery state reads. */
import { ensureOpenCase } from "@/lib/db/queries/cases";
import {
  getDeliveriesForEvent,
  listAttemptsForEvent,
  listOutboxEventsForCase,
} from "@/lib/db/queries/outbox";
import { insertStaffUser } from "@/lib/db/queries/staff";
import { runCaseChecks } from "@/lib/checks/run";
import {
  approveCase,
  rejectCase,
  requestMoreInformation,
  type Reviewer,
} from "@/lib/review/decisions";
import { upsertTrader } from "@/lib/db/queries/traders";
import { changeCaseStatus } from "@/lib/kyc/cases";

let nextUser = 40_000 + Math.floor(Math.random() * 1000) * 100;

export async function freshCase(level = "standard") {
  const trader = await upsertTrader(
    { ctraderUserId: nextUser++, tradingLogin: 3_100_000 + nextUser, email: "t@example.com" },
    "en",
  );
  return ensureOpenCase(trader.id, level, "first_deposit");
}

/** Submits a fresh case: one status change, so one outbox event. Returns the event id. */
export async function submitFreshCase(
  now = new Date(),
): Promise<{ eventId: string; caseId: string }> {
  const kycCase = await freshCase();
  const { eventId } = await changeCaseStatus({
    kycCase,
    event: "submit",
    actor: { type: "trader", id: kycCase.traderId },
    now,
  });
  return { eventId, caseId: kycCase.id };
}

let signers: Promise<[Reviewer, Reviewer]> | undefined;
/** A reviewer and an approver in this file's database, for approvals that need four eyes. */
export function staffPair(): Promise<[Reviewer, Reviewer]> {
  signers ??= (async () => {
    const make = async (role: Reviewer["role"]) => {
      const s = await insertStaffUser({
        email: `${role}-${crypto.randomUUID()}@broker.example`,
        displayName: role,
        role,
        passwordHash: "scrypt$15$8$1$AA==$AA==",
      });
      return { id: s.id, role: s.role };
    };
    return [await make("reviewer"), await make("approver")];
  })();
  return signers;
}

/**
 * Takes a draft case through submit, the automated checks (as the worker runs them) and a staff
 * decision. An approval goes through the review rules (a check run of the round, four eyes when
 * the risk asks for it). Returns the submission's and the decision's event ids.
 */
export async function decideCase(
  kycCase: { id: string; traderId: string },
  event: "approve" | "reject" | "request_action",
  messageForTrader?: string,
): Promise<{ submitEventId: string; eventId: string }> {
  const submitted = await changeCaseStatus({
    kycCase: { ...kycCase, status: "draft" },
    event: "submit",
    actor: { type: "trader", id: kycCase.traderId },
  });
  await runCaseChecks(kycCase.id);
  const [reviewer, approver] = await staffPair();
  if (event === "approve") {
    if ((await approveCase(reviewer, kycCase.id)).status === "awaiting_co_sign")
      await approveCase(approver, kycCase.id);
  } else if (event === "reject") {
    await rejectCase(reviewer, kycCase.id, { reasonCode: "document_unreadable" });
  } else {
    await requestMoreInformation(reviewer, kycCase.id, {
      items: [{ kind: "document", documentType: "identity" }],
      message: messageForTrader ?? "Please send a sharper photo.",
    });
  }
  const decided = (await listOutboxEventsForCase(kycCase.id)).at(-1);
  if (!decided) throw new Error("no event for the decision");
  return { submitEventId: submitted.eventId, eventId: decided.id };
}

export async function deliveryOf(eventId: string) {
  const [row] = await getDeliveriesForEvent(eventId);
  if (!row) throw new Error(`no delivery for ${eventId}`);
  return row;
}

export { listAttemptsForEvent };

export async function until<T>(
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A probe may fail while connections are being cut (the connection-drop test): try again.
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
