"use client";

import { useId, useRef, useState, type ReactNode } from "react";

/**
 * A decision's submit button that asks first. The button opens a modal dialog inside the same
 * form; only the dialog's "Yes" submits, and it carries `confirmed=yes`, which the server action
 * requires (without it the decision is refused with a message, so a missing dialog cannot decide).
 * `carry` is a value only the confirmed submission sends (e.g. a verdict, where the same form has
 * other buttons that need no dialog): present only while the dialog is open.
 */
export function ConfirmButton({
  children,
  question,
  yes,
  cancel,
  testId,
  disabled,
  className = "button",
  carry,
}: {
  children: ReactNode;
  question: string;
  yes: string;
  cancel: string;
  testId: string;
  disabled?: boolean;
  className?: string;
  carry?: { name: string; value: string };
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const questionId = useId();
  const [open, setOpen] = useState(false);
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
          setOpen(true);
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
        onClose={() => setOpen(false)}
      >
        <p id={questionId}>{question}</p>
        {carry && open ? <input type="hidden" name={carry.name} value={carry.value} /> : null}
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
