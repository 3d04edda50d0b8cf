"use client";

import { useId, useRef, type ReactNode } from "react";

/**
 * A decision's submit button that asks first. The button opens a modal dialog inside the same
 * form; only the dialog's "Yes" submits, and it carries `confirmed=yes`, which the server action
 * requires (without it the decision is refused with a message, so a missing dialog cannot decide).
 */
export function ConfirmButton({
  children,
  question,
  yes,
  cancel,
  testId,
  disabled,
  className = "button",
}: {
  children: ReactNode;
  question: string;
  yes: string;
  cancel: string;
  testId: string;
  disabled?: boolean;
  className?: string;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const questionId = useId();
  return (
    <>
      <button
        className={className}
        type="submit"
        data-testid={testId}
        disabled={disabled}
        onClick={(event) => {
          const form = event.currentTarget.form;
          event.preventDefault();
          if (form && !form.reportValidity()) return;
          dialog.current?.showModal();
        }}
      >
        {children}
      </button>
      <dialog
        ref={dialog}
        className="confirm"
        aria-labelledby={questionId}
        data-testid={`${testId}-confirm`}
      >
        <p id={questionId}>{question}</p>
        <div className="actions">
          <button
            className="button"
            type="submit"
            name="confirmed"
            value="yes"
            data-testid={`${testId}-yes`}
          >
            {yes}
          </button>
          <button
            className="button secondary"
            type="button"
            onClick={() => dialog.current?.close()}
            data-testid={`${testId}-cancel`}
          >
            {cancel}
          </button>
        </div>
      </dialog>
    </>
  );
}
