"use server";

/**
 * The console's actions: every one checks the staff session and role, validates its input,
 * goes through lib/review (state machine, four-eyes, audit) and answers with a redirect that
 * names the outcome, so the page shows it (and a reload does not repeat the action).
 */
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { replayAllDead, replayEvent } from "@/lib/delivery/console";
import { deliverDueSoon } from "@/lib/delivery/soon";
import { isAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { STEPS } from "@/lib/kyc/levels";
import type { RequestedItem } from "@/lib/kyc/requirements";
import {
  approveCase,
  assignCaseTo,
  claimCase,
  judgeScreeningHit,
  rejectCase,
  requestMoreInformation,
} from "@/lib/review/decisions";
import { loginStaff, logoutStaff, STAFF_COOKIE } from "@/lib/staff/auth";
import { clientAddress, getStaff, requireStaff } from "@/lib/staff/console";

const caseId = z.uuid();

function back(id: string, outcome: string): never {
  redirect(`/admin/cases/${id}?outcome=${encodeURIComponent(outcome)}`);
}

async function run(id: unknown, action: (id: string) => Promise<string>): Promise<never> {
  const parsed = caseId.safeParse(id);
  if (!parsed.success) redirect("/admin?error=bad_case");
  let outcome: string;
  try {
    outcome = await action(parsed.data);
    // A decision that changed the status: the broker's systems hear of it right away.
    deliverDueSoon();
  } catch (error) {
    if (isAppError(error) && error.code !== "INTERNAL" && error.code !== "CONFIG")
      back(parsed.data, `error:${error.publicMessage}`);
    log.error("console.action_failed", {
      error: error instanceof Error ? error.message : String(error),
    });
    back(parsed.data, "error:something went wrong; nothing was changed");
  }
  back(parsed.data, outcome);
}

export type LoginState = { error?: string };

export async function loginAction(_previous: LoginState, form: FormData): Promise<LoginState> {
  const email = String(form.get("email") ?? "").slice(0, 320);
  const password = String(form.get("password") ?? "").slice(0, 1024);
  if (!email || !password) return { error: "Enter your email and password." };
  const result = await loginStaff({ email, password, client: await clientAddress() });
  if (!result.ok)
    return {
      error:
        result.reason === "throttled"
          ? "Too many attempts. Wait 15 minutes and try again."
          : "Email or password is wrong.",
    };
  (await cookies()).set(result.cookie);
  redirect("/admin");
}

export async function logoutAction(): Promise<void> {
  const staff = await getStaff();
  const store = await cookies();
  const value = store.get(STAFF_COOKIE)?.value;
  if (staff && value) await logoutStaff(value, staff.id);
  store.delete(STAFF_COOKIE);
  redirect("/admin/login");
}

export async function claimAction(form: FormData): Promise<void> {
  const staff = await requireStaff("reviewer");
  await run(form.get("caseId"), async (id) => {
    await claimCase(staff, id);
    return "claimed";
  });
}

export async function approveAction(form: FormData): Promise<void> {
  const staff = await requireStaff("reviewer");
  await run(form.get("caseId"), async (id) => (await approveCase(staff, id)).status);
}

export async function rejectAction(form: FormData): Promise<void> {
  const staff = await requireStaff("reviewer");
  await run(form.get("caseId"), async (id) => {
    const { kind } = await rejectCase(staff, id, {
      reasonCode: String(form.get("reasonCode") ?? ""),
      internalNote: String(form.get("internalNote") ?? ""),
    });
    return kind === "retry" ? "rejected_retry" : "rejected_final";
  });
}

const itemValue = z.union([
  z.string().regex(/^step:[a-z_]+$/),
  z.enum(["document:identity", "document:address", "document:additional"]),
]);

export async function requestAction(form: FormData): Promise<void> {
  const staff = await requireStaff("reviewer");
  await run(form.get("caseId"), async (id) => {
    const items = form
      .getAll("items")
      .slice(0, 20)
      .map((v) => itemValue.safeParse(v))
      .flatMap((r) => (r.success ? [r.data] : []))
      .flatMap((v): RequestedItem[] => {
        const [kind, name] = v.split(":");
        if (kind === "step")
          return (STEPS as readonly string[]).includes(name ?? "")
            ? [{ kind: "step" as const, step: name as (typeof STEPS)[number] }]
            : [];
        return [
          {
            kind: "document" as const,
            documentType: name as "identity" | "address" | "additional",
          },
        ];
      });
    await requestMoreInformation(staff, id, {
      items,
      message: String(form.get("message") ?? ""),
      internalNote: String(form.get("internalNote") ?? ""),
    });
    return "action_requested";
  });
}

export async function screeningHitAction(form: FormData): Promise<void> {
  const staff = await requireStaff("reviewer");
  await run(form.get("caseId"), async (id) => {
    const verdict = form.get("verdict") === "confirmed" ? "confirmed" : "false_positive";
    await judgeScreeningHit(staff, id, {
      entryId: String(form.get("entryId") ?? ""),
      verdict,
      note: String(form.get("note") ?? ""),
    });
    return verdict === "confirmed" ? "hit_confirmed" : "hit_false_positive";
  });
}

export async function assignAction(form: FormData): Promise<void> {
  const staff = await requireStaff("approver");
  await run(form.get("caseId"), async (id) => {
    const assignee = z.uuid().safeParse(form.get("assignee"));
    await assignCaseTo(staff, id, assignee.success ? assignee.data : null);
    return "assigned";
  });
}

export async function replayEventAction(form: FormData): Promise<void> {
  const staff = await requireStaff("admin");
  await run(form.get("caseId"), async () => {
    const count = await replayEvent(staff, String(form.get("eventId") ?? ""));
    deliverDueSoon();
    return `replayed:${count}`;
  });
}

export async function replayDeadAction(): Promise<void> {
  const staff = await requireStaff("admin");
  const count = await replayAllDead(staff);
  deliverDueSoon();
  redirect(`/admin/deliveries?replayed=${count}`);
}
