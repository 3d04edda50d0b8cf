"use client";

import { useEffect, useRef } from "react";
import { useRouter } from "next/navigation";

export type ShortcutLabels = {
  title: string;
  open: string;
  close: string;
  next: string;
  previous: string;
  approve: string;
  reject: string;
  request: string;
  help: string;
  typing: string;
};

/** Typing in a field (or a dialog being open) switches the shortcuts off. */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target.closest("input, textarea, select, [contenteditable], dialog[open]") !== null
  );
}

function press(testId: string) {
  const button = document.querySelector<HTMLButtonElement>(`[data-testid="${testId}"]`);
  if (button && !button.disabled) button.click();
}

/**
 * The case page's keyboard shortcuts: j / k the next and previous case in the queue, a approve,
 * r reject and i request information (each through its own form, so the confirmation step and
 * the server's checks apply), ? the list of shortcuts in a dialog.
 */
export function CaseShortcuts({
  nextHref,
  previousHref,
  labels,
}: {
  nextHref: string | null;
  previousHref: string | null;
  labels: ShortcutLabels;
}) {
  const router = useRouter();
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      // The list itself: ? closes it again (Escape too, as any dialog).
      if (event.key === "?" && dialog.current?.open) {
        event.preventDefault();
        dialog.current.close();
        return;
      }
      if (typing(event.target)) return;
      const go = (href: string | null) => href && router.push(href);
      const actions: Record<string, () => void> = {
        j: () => go(nextHref),
        k: () => go(previousHref),
        a: () => press("approve"),
        r: () => press("reject"),
        i: () => {
          const message = document.querySelector<HTMLTextAreaElement>('[data-testid="message"]');
          message?.scrollIntoView({ block: "center" });
          message?.focus();
        },
        "?": () => dialog.current?.showModal(),
      };
      const action = actions[event.key];
      if (!action) return;
      event.preventDefault();
      action();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [nextHref, previousHref, router]);
  const rows: [string, string][] = [
    ["j", labels.next],
    ["k", labels.previous],
    ["a", labels.approve],
    ["r", labels.reject],
    ["i", labels.request],
    ["?", labels.help],
  ];
  return (
    <>
      <button
        type="button"
        className="button secondary"
        onClick={() => dialog.current?.showModal()}
        data-testid="shortcuts-open"
        aria-keyshortcuts="?"
      >
        {labels.open}
      </button>
      <dialog
        ref={dialog}
        className="confirm"
        aria-labelledby="shortcuts-title"
        data-testid="shortcuts"
      >
        <h2 id="shortcuts-title">{labels.title}</h2>
        <dl className="facts">
          {rows.map(([key, what]) => (
            <div key={key} style={{ display: "contents" }}>
              <dt>
                <kbd>{key}</kbd>
              </dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
        <p className="muted">{labels.typing}</p>
        <button
          type="button"
          className="button secondary"
          onClick={() => dialog.current?.close()}
          data-testid="shortcuts-close"
        >
          {labels.close}
        </button>
      </dialog>
    </>
  );
}
