"use client";

/**
 * Autosave for a step form: a change waits briefly, then the form's values go to the server as
 * a draft. "Saved" must mean every change so far: a change clears it, and only the latest save
 * may set it. Saves go one at a time: a change made while one is on its way is sent when it
 * returns, on the version it got. Each autosave carries the draft version it was typed on, so
 * one that arrives after the trader's "Save and continue" is refused by the server instead of
 * undoing the completed step; submitting the form also cancels a pending autosave, and one
 * waiting for another. A submit made while an autosave is on its way waits for it and posts the
 * version it got — for a few seconds only: a save stalled on a slow network is abandoned, and the
 * submit goes with the version it knows (it carries every field; the server's version check
 * decides). Autosaves are plain requests to their own route, not server actions, because Next
 * runs a page's actions one after another: a stalled autosave would hold the submit back.
 * Shared by the personal form and the generic step form, with the status line they both show.
 */
import { useCallback, useRef, useState, type FormEvent, type RefObject } from "react";
import { refusalResponse } from "@/lib/documents/upload-contract";
import {
  ABANDONED_SAVE_FIELD,
  AUTOSAVE_PATH,
  autosaveAnswer,
  SAVE_ID_FIELD,
  STEP_SAVE_REFUSAL_WORDS,
  type AutosaveRequest,
} from "@/lib/inapp/autosave-contract";
import { WINDOW_FIELD, windowHeaders } from "@/lib/inapp/window-ref";
import { expectSaveLanding } from "./screen-heading";

const AUTOSAVE_DELAY_MS = 800;
/** An autosave without an answer by then has failed: the trader is told it is not saved. */
const AUTOSAVE_TIMEOUT_MS = 15_000;
/** How long "Save and continue" waits for an autosave on its way before going without it. */
const SUBMIT_WAIT_MS = 5_000;

/**
 * `sessionExpired`, `otherSignIn`, `uploadOnly` (a phone-handoff session, which only uploads):
 * the session's refusals, in its words (Errors messages).
 */
type Refused = "failed" | "stale" | "sessionExpired" | "otherSignIn" | "uploadOnly";
type AutosaveState = "idle" | "saving" | "saved" | Refused;
type SaveResult = { state: "saved"; version: number } | { state: Refused };

/** A save's id (autosave contract `saveId`): random, so no other window's save can carry it. */
function newSaveId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The form's fields to the autosave route; its answer, or the refusal as the status shows it. */
async function postAutosave(data: FormData, signal: AbortSignal): Promise<SaveResult> {
  const fields: AutosaveRequest["fields"] = [];
  for (const [name, value] of data) if (typeof value === "string") fields.push([name, value]);
  const windowRef = data.get(WINDOW_FIELD);
  try {
    const response = await fetch(AUTOSAVE_PATH, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(typeof windowRef === "string" && windowHeaders(windowRef)),
      },
      body: JSON.stringify({ fields } satisfies AutosaveRequest),
      signal,
    });
    const body: unknown = await response.json().catch(() => null);
    const saved = autosaveAnswer.safeParse(body);
    if (response.ok && saved.success) return { state: "saved", version: saved.data.version };
    const refused = refusalResponse.safeParse(body);
    const reason = refused.success ? refused.data.reason : undefined;
    const words =
      reason !== undefined && Object.hasOwn(STEP_SAVE_REFUSAL_WORDS, reason)
        ? STEP_SAVE_REFUSAL_WORDS[reason as keyof typeof STEP_SAVE_REFUSAL_WORDS]
        : undefined;
    if (words === "staleDraft") return { state: "stale" };
    if (words === "sessionExpired" || words === "otherSignIn" || words === "uploadOnly")
      return { state: words };
    return { state: "failed" };
  } catch {
    return { state: "failed" };
  }
}

export function useAutosave(form: RefObject<HTMLFormElement | null>, initialVersion: number) {
  const [state, setState] = useState<AutosaveState>("idle");
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const latest = useRef(0);
  const version = useRef(initialVersion);
  // One save at a time: a second one sent before the first returns would carry the version the
  // first is about to replace, and the server would refuse it as stale. A change made meanwhile
  // waits here and goes out when the first is back, with the form as it is then.
  const inFlight = useRef(false);
  const queued = useRef(false);
  // The save on its way, for a submit to wait for; and whether a submit is waiting for it.
  const flight = useRef<Promise<void>>(Promise.resolve());
  const held = useRef(false);
  // The save on its way, to abandon when a submit stops waiting for it.
  const sending = useRef<AbortController | null>(null);
  const sendingId = useRef<string | null>(null);
  // The last save a submit stopped waiting for: the submit names it, so a version that save
  // made, if it landed, is not taken for another window's.
  const abandoned = useRef<string | null>(null);
  // The same version for the form's own post: "Save and continue" carries it too, so a stale
  // window's submit is refused instead of replacing answers saved since in another.
  const [posted, setPosted] = useState(initialVersion);
  async function save() {
    if (!form.current) return;
    const id = latest.current;
    const own = new AbortController();
    sending.current = own;
    const saveId = newSaveId();
    sendingId.current = saveId;
    inFlight.current = true;
    setState("saving");
    const data = new FormData(form.current);
    data.set("draftVersion", String(version.current));
    data.set(SAVE_ID_FIELD, saveId);
    data.delete(ABANDONED_SAVE_FIELD);
    const result = await postAutosave(
      data,
      AbortSignal.any([own.signal, AbortSignal.timeout(AUTOSAVE_TIMEOUT_MS)]),
    );
    // Abandoned by a submit that went without it: whatever it says, the submit's answer counts.
    if (sending.current !== own) return;
    sending.current = null;
    inFlight.current = false;
    if (result.state === "saved") {
      version.current = result.version;
      setPosted(result.version);
    }
    // A stale draft or a closed session stays so for the waiting change too: the trader is
    // told, not retried.
    const followUp = queued.current && (result.state === "saved" || result.state === "failed");
    const dropped = queued.current && !followUp;
    queued.current = false;
    if (followUp) return save();
    if (id === latest.current || dropped) setState(result.state);
  }
  /** The save on its way gets no more waiting: no answer it brings later is taken. */
  function abandon() {
    abandoned.current = sendingId.current;
    sending.current?.abort();
    sending.current = null;
    inFlight.current = false;
  }
  function schedule() {
    // A submit is waiting to go: it carries this change, and no autosave may follow it.
    if (held.current) return;
    clearTimeout(timer.current);
    ++latest.current;
    setState("idle");
    timer.current = setTimeout(() => {
      if (inFlight.current) {
        queued.current = true;
        setState("saving");
      } else flight.current = save();
    }, AUTOSAVE_DELAY_MS);
  }
  /** The form is being submitted: no pending autosave, nor one waiting, may land after it. */
  function cancel() {
    clearTimeout(timer.current);
    queued.current = false;
    latest.current++;
  }
  /**
   * The form's submit handler. An autosave on its way is about to replace the version the form
   * holds, so a post now would be refused as stale: the submit waits for it, then goes with the
   * version it got (the post carries every field, so nothing else need be saved first). If that
   * save was refused as stale, the version stays and so does the refusal: another window did save.
   * A save with no answer after SUBMIT_WAIT_MS is abandoned and the submit goes with the version
   * the form knows, naming the abandoned save: if that save did land, the version it made is the
   * trader's own and the submit goes on over it; a version saved by anything else is still stale.
   */
  function submitting(event: FormEvent<HTMLFormElement>) {
    const target = event.currentTarget;
    if (held.current) return event.preventDefault();
    if (inFlight.current) {
      event.preventDefault();
      held.current = true;
      // Nothing may follow that save; it still reports how it went ("stale" stays visible).
      clearTimeout(timer.current);
      queued.current = false;
      const submitter = (event.nativeEvent as SubmitEvent).submitter;
      let waited: ReturnType<typeof setTimeout> | undefined;
      const timeUp = new Promise<void>((resolve) => (waited = setTimeout(resolve, SUBMIT_WAIT_MS)));
      void Promise.race([flight.current, timeUp]).then(() => {
        clearTimeout(waited);
        if (inFlight.current) abandon();
        held.current = false;
        if (target.isConnected) target.requestSubmit(submitter);
      });
      return;
    }
    cancel();
    expectSaveLanding();
    // Nothing is on its way now: a change that waited for a save goes with this post instead.
    setState((current) => (current === "saving" ? "idle" : current));
    // The post is built from the form right after this handler: the hidden field must hold the
    // latest version even if the render that shows it has not happened yet.
    const field = target.elements.namedItem("draftVersion");
    if (field instanceof HTMLInputElement) field.value = String(version.current);
    const named = target.elements.namedItem(ABANDONED_SAVE_FIELD);
    if (named instanceof HTMLInputElement) named.value = abandoned.current ?? "";
  }
  /** The server saved the step (a submit that came back with errors): autosave on that version. */
  const setVersion = useCallback((next: number) => {
    version.current = next;
    setPosted(next);
  }, []);
  return { state, schedule, cancel, submitting, setVersion, version: posted };
}

export function AutosaveStatus({
  state,
  labels,
}: {
  state: AutosaveState;
  labels: Record<string, string | undefined>;
}) {
  return (
    <span className="muted" aria-live="polite" data-testid="autosave-status">
      {state === "saving"
        ? labels.saving
        : state === "saved"
          ? labels.saved
          : state === "failed"
            ? labels.saveFailed
            : state === "stale"
              ? labels.staleDraft
              : state === "sessionExpired" || state === "otherSignIn" || state === "uploadOnly"
                ? labels[state]
                : ""}
    </span>
  );
}
