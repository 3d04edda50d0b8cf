/**
 * Saving a step from the trader's screen, for both ways a form saves: "Save and continue" (the
 * form's server action, app/inapp/kyc/actions.ts) and autosave (`POST /api/inapp/autosave`, the
 * form's script). One function holds the rules both go through — the session, the window's
 * sign-in reference (lib/inapp/window.ts), the draft version (lib/kyc/step-submit.ts) — so an
 * autosave cannot be let through where the form's own post would be refused, nor the reverse.
 * Refusals are reasons from the autosave contract; the action words them, the route answers
 * them as `{error, message, code, reason}`.
 */
import "server-only";
import { errorFacts, isAppError } from "@/lib/errors";
import { readBody } from "@/lib/http/body";
import { isJsonContentType, refusal, toErrorResponse } from "@/lib/http/json";
import { isSameOrigin } from "@/lib/http/origin";
import { isStepId, submitStep } from "@/lib/kyc/step-submit";
import { STEP_DEFINITIONS } from "@/lib/kyc/steps";
import type { StepErrors } from "@/lib/kyc/steps/fields";
import { log } from "@/lib/log";
import {
  ABANDONED_SAVE_FIELD,
  autosaveRequest,
  SAVE_ID_FIELD,
  saveId,
  type AutosaveAnswer,
  type StepSaveRefusal,
} from "./autosave-contract";
import { getAnyScreenContext } from "./screen-context";
import { isOwnWindow, WINDOW_HEADER } from "./window";

type Values = Record<string, string | string[]>;

/** A save's id as the form posts it in `field`; anything else names no save. */
function postedSaveId(form: FormData, field: string): string | undefined {
  const parsed = saveId.safeParse(form.get(field));
  return parsed.success ? parsed.data : undefined;
}

export type StepSave =
  /** `version`: the draft's version now, which the next autosave carries. */
  | { outcome: "saved"; completed: boolean; version: number; values: Values }
  /** A "Save and continue" that did not pass: saved as a draft, with its field errors (keys). */
  | {
      outcome: "invalid";
      errors: StepErrors;
      warning?: string;
      version: number;
      values: Values;
    }
  | { outcome: "refused"; reason: StepSaveRefusal; values: Values };

/**
 * Saves the step a form posted, for the session of this request's cookie, if `windowRef` names
 * that session. `values`: what was posted, so a refused save gives back what the trader typed.
 */
export async function saveStepFromScreen(
  form: FormData,
  windowRef: unknown,
  mode: "autosave" | "continue",
): Promise<StepSave> {
  const step = form.get("step");
  // A form posts its own step; anything else is a forged or stale request, refused plainly.
  if (!isStepId(step)) return { outcome: "refused", reason: "bad_request", values: {} };
  const values = STEP_DEFINITIONS[step].valuesFrom(form);
  const refused = (reason: StepSaveRefusal): StepSave => ({ outcome: "refused", reason, values });
  const context = await getAnyScreenContext();
  if (!context?.kycCase) return refused("session_expired");
  // A phone-handoff session is live but may only upload: refused as the trader API refuses it.
  if (context.session.documentScope !== null) return refused("out_of_scope");
  // A window of an earlier sign-in in this browser writes nothing into this session's case.
  if (!isOwnWindow(context.session, windowRef)) return refused("other_sign_in");
  try {
    const result = await submitStep(context.kycCase, step, form, mode, new Date(), {
      saveId: postedSaveId(form, SAVE_ID_FIELD),
      abandonedSave: postedSaveId(form, ABANDONED_SAVE_FIELD),
    });
    if (result.ok && "stale" in result) return refused("stale_draft");
    if (result.ok)
      return { outcome: "saved", completed: result.completed, version: result.version, values };
    return {
      outcome: "invalid",
      errors: result.errors,
      warning: result.warning,
      version: result.version,
      values,
    };
  } catch (error) {
    if (isAppError(error) && error.code === "CONFLICT") return refused("not_editable");
    if (isAppError(error) && error.reason === "case_erased") return refused("case_erased");
    if (isAppError(error) && error.code === "BAD_REQUEST") return refused("bad_request");
    log.error("kyc.step.save_failed", { step, caseId: context.kycCase.id, ...errorFacts(error) });
    return refused("save_failed");
  }
}

/** A step form's fields are short (200 characters at most, a few rows): far below this. */
const MAX_AUTOSAVE_BYTES = 64 * 1024;

const REFUSAL_STATUS = {
  session_expired: 401,
  out_of_scope: 403,
  other_sign_in: 409,
  stale_draft: 409,
  not_editable: 409,
  case_erased: 410,
  bad_request: 400,
  save_failed: 500,
} as const satisfies Record<StepSaveRefusal, number>;

/**
 * `POST /api/inapp/autosave`. Like every trader write (lib/inapp/api.ts) it must come from our own
 * pages — same origin, a JSON body (a cross-site form cannot send one without a preflight) — and
 * name its window's sign-in in the header.
 */
export async function autosaveResponse(request: Request): Promise<Response> {
  try {
    if (!isSameOrigin(request)) return refusal(403, "cross_site", "cross-site request refused");
    if (!isJsonContentType(request.headers.get("content-type"))) {
      void request.body?.cancel().catch(() => undefined);
      return refusal(415, "unsupported_media_type", "body must be application/json");
    }
    const text = (await readBody(request, MAX_AUTOSAVE_BYTES)).toString("utf8");
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return refusal(400, "bad_request", "body must be a JSON object");
    }
    const body = autosaveRequest.safeParse(json);
    if (!body.success) return refusal(400, "bad_request", "body does not match the request");
    const form = new FormData();
    for (const [name, value] of body.data.fields) form.append(name, value);
    const saved = await saveStepFromScreen(form, request.headers.get(WINDOW_HEADER), "autosave");
    if (saved.outcome === "refused")
      return refusal(REFUSAL_STATUS[saved.reason], saved.reason, `not saved: ${saved.reason}`);
    // An autosave never validates, so it is never "invalid"; the version is all the form needs.
    const answer: AutosaveAnswer = { status: "saved", version: saved.version };
    return Response.json(answer);
  } catch (error) {
    return toErrorResponse(error, "inapp.autosave", { PAYLOAD_TOO_LARGE: "request_too_large" });
  }
}
