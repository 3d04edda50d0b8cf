"use client";

/**
 * Autosave for a step form: a change waits briefly, then the form's values go to the server as
 * a draft. "Saved" must mean every change so far: a change clears it, and only the latest save
 * may set it. Saves go one at a time: a change made while one is on its way is sent when it
 * returns, on the version it got. Each autosave carries the draft version it was typed on, so
 * one that arrives after the trader's "Save and continue" is refused by the server instead of
 * undoing the completed step; submitting the form also cancels a pending autosave, and one
 * waiting for another. A submit made while an autosave is on its way waits for it and posts the
 * version it got. Shared by the personal form and the generic step form, with the status line
 * they both show.
 */
import { useCallback, useRef, useState, type FormEvent, type RefObject } from "react";
import { autosaveStep } from "../kyc/actions";

const AUTOSAVE_DELAY_MS = 800;

type AutosaveState = "idle" | "saving" | "saved" | "failed" | "stale";

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
  // The same version for the form's own post: "Save and continue" carries it too, so a stale
  // window's submit is refused instead of replacing answers saved since in another.
  const [posted, setPosted] = useState(initialVersion);
  async function save() {
    if (!form.current) return;
    const id = latest.current;
    inFlight.current = true;
    setState("saving");
    const data = new FormData(form.current);
    data.set("draftVersion", String(version.current));
    const result = await autosaveStep(data).catch(() => null);
    inFlight.current = false;
    if (result?.status === "saved") {
      version.current = result.version;
      setPosted(result.version);
    }
    // A stale draft stays stale for the waiting change too: the trader is told, not retried.
    const followUp = queued.current && result?.status !== "stale";
    const dropped = queued.current && !followUp;
    queued.current = false;
    if (followUp) return save();
    if (id === latest.current || dropped)
      setState(
        result?.status === "saved" ? "saved" : result?.status === "stale" ? "stale" : "failed",
      );
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
      void flight.current.then(() => {
        held.current = false;
        if (target.isConnected) target.requestSubmit(submitter);
      });
      return;
    }
    cancel();
    // Nothing is on its way now: a change that waited for a save goes with this post instead.
    setState((current) => (current === "saving" ? "idle" : current));
    // The post is built from the form right after this handler: the hidden field must hold the
    // latest version even if the render that shows it has not happened yet.
    const field = target.elements.namedItem("draftVersion");
    if (field instanceof HTMLInputElement) field.value = String(version.current);
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
              : ""}
    </span>
  );
}
