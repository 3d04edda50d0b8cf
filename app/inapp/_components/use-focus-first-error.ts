"use client";

import { useEffect, type RefObject } from "react";
import type { StepFormState } from "../kyc/actions";
import { cancelSaveLanding } from "./screen-heading";

/**
 * A post that came back refused moves focus to the first field in error, else to the form's
 * alert. On a phone "Save and continue" sits at the end of a long form: without this the trader
 * is left at the bottom, the summary and the first mistake a screen or more above, and a screen
 * reader announces the summary but leaves them at the button. Focus scrolls the field into view,
 * and its label and error (aria-describedby) are read out. A post that moved on to another
 * screen is that screen's heading's to focus (screen-heading.tsx).
 */
export function useFocusFirstError(form: RefObject<HTMLFormElement | null>, state: StepFormState) {
  useEffect(() => {
    if (state.status !== "idle") cancelSaveLanding();
    if (state.status !== "invalid" && state.status !== "failed" && state.status !== "stale") return;
    const target =
      form.current?.querySelector<HTMLElement>('[aria-invalid="true"]') ??
      form.current?.querySelector<HTMLElement>('[role="alert"]');
    target?.focus();
  }, [form, state]);
}
