"use client";

/**
 * Autosave for a step form: a change waits briefly, then the form's values go to the server as
 * a draft. "Saved" must mean every change so far: a change clears it, and only the latest save
 * may set it. Shared by the personal form and the generic step form, with the status line they
 * both show.
 */
import { useRef, useState, type RefObject } from "react";
import { autosaveStep } from "../kyc/actions";

const AUTOSAVE_DELAY_MS = 800;

type AutosaveState = "idle" | "saving" | "saved" | "failed";

export function useAutosave(form: RefObject<HTMLFormElement | null>) {
  const [state, setState] = useState<AutosaveState>("idle");
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const latest = useRef(0);
  function schedule() {
    clearTimeout(timer.current);
    const id = ++latest.current;
    setState("idle");
    timer.current = setTimeout(async () => {
      if (!form.current) return;
      setState("saving");
      const result = await autosaveStep(new FormData(form.current)).catch(() => null);
      if (id === latest.current) setState(result?.status === "saved" ? "saved" : "failed");
    }, AUTOSAVE_DELAY_MS);
  }
  return { state, schedule };
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
            : ""}
    </span>
  );
}
