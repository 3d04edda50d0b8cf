"use client";

/**
 * The form of every step except personal information, rendered from the step's field list
 * (lib/kyc/steps). Server-action form: it works without JavaScript; with it, it autosaves,
 * shows conditional fields as answers change and adds or removes group rows.
 */
import { useActionState, useEffect, useRef, useState } from "react";
import { ABANDONED_SAVE_FIELD } from "@/lib/inapp/autosave-contract";
import { countrySelectHtml } from "@/lib/kyc/country-select";
import type { DateRange, FieldSpec } from "@/lib/kyc/steps/fields";
import { isShown } from "@/lib/kyc/steps/visibility";
import { WINDOW_FIELD } from "@/lib/inapp/window-ref";
import { continueStep, type StepFormState } from "../kyc/actions";
import { AutosaveStatus, useAutosave } from "./use-autosave";
import { useFocusFirstError } from "./use-focus-first-error";

type Values = Record<string, string | string[] | undefined>;
export type StepFormProps = {
  step: string;
  fields: readonly FieldSpec[];
  labels: Record<string, string>;
  /** Country options as HTML (lib/kyc/country-names.ts): cheap to hydrate. */
  countriesHtml: string;
  values: Values;
  /** Fields showing a value read from the trader's document, not confirmed yet. */
  prefilled?: readonly string[];
  /** The draft's version as rendered (0: none yet): autosaves carry it. */
  draftVersion: number;
  /** The sign-in this page was rendered for (lib/inapp/window.ts): every post carries it. */
  windowRef: string;
  /** The dates each date field accepts (lib/kyc/steps), for the phone's date picker. */
  dateRanges?: Record<string, DateRange>;
};

const one = (v: string | string[] | undefined, i?: number): string =>
  Array.isArray(v) ? (v[i ?? 0] ?? "") : i ? "" : (v ?? "");

export function StepForm({
  step,
  fields,
  labels,
  countriesHtml,
  values: saved,
  prefilled = [],
  draftVersion,
  windowRef,
  dateRanges = {},
}: StepFormProps) {
  const [state, submit, pending] = useActionState(continueStep, {
    status: "idle",
  } as StepFormState);
  const form = useRef<HTMLFormElement>(null);
  const autosave = useAutosave(form, draftVersion);
  const { setVersion } = autosave;
  useFocusFirstError(form, state);
  // A submit that came back (with errors) saved the step: later autosaves build on that version.
  useEffect(() => {
    if (state.status === "invalid" || state.status === "saved") setVersion(state.version);
  }, [state, setVersion]);
  // React resets a form once its action completes: defaults must be what was just submitted.
  const values: Values =
    state.status === "invalid" || state.status === "failed" || state.status === "stale"
      ? state.values
      : saved;
  const [current, setCurrent] = useState<Values>(values);
  const errors = state.status === "invalid" ? state.errors : {};
  const warning = state.status === "invalid" ? state.warning : undefined;
  const [rows, setRows] = useState<Record<string, number>>(() => {
    const initial: Record<string, number> = {};
    for (const f of fields)
      if (f.kind === "group") {
        const posted = Math.max(
          ...f.fields.map((inner) =>
            Array.isArray(values[inner.name]) ? values[inner.name]!.length : 0,
          ),
        );
        initial[f.name] = Math.min(Math.max(posted, f.minRows), f.maxRows);
      }
    return initial;
  });

  function readCurrent(): Values {
    if (!form.current) return current;
    const data = new FormData(form.current);
    const next: Values = {};
    for (const key of new Set(data.keys())) {
      const all = data.getAll(key).filter((v): v is string => typeof v === "string");
      next[key] = all.length > 1 ? all : all[0];
    }
    return next;
  }

  function onChange() {
    setCurrent(readCurrent());
    autosave.schedule();
  }

  const visible = (f: FieldSpec) => isShown(fields, f, current);

  const describedBy = (id: string, key: string, hint: boolean) =>
    [
      hint ? `${id}-hint` : null,
      prefilled.includes(key) ? `${id}-prefill` : null,
      errors[key] ? `${id}-error` : null,
    ]
      .filter(Boolean)
      .join(" ") || undefined;

  function hintAndError(id: string, key: string, hint: string | undefined) {
    return {
      hint: (
        <>
          {hint ? (
            <p className="hint" id={`${id}-hint`}>
              {hint}
            </p>
          ) : null}
          {prefilled.includes(key) ? (
            <p className="hint prefilled" id={`${id}-prefill`} data-prefilled={key}>
              {labels.prefillField}
            </p>
          ) : null}
        </>
      ),
      error: errors[key] ? (
        <p className="error" id={`${id}-error`} data-testid={`error-${key}`}>
          {errors[key]}
        </p>
      ) : null,
    };
  }

  function renderField(f: FieldSpec, row?: number): React.ReactNode {
    const id = row === undefined ? f.name : `${f.name}-${row}`;
    const key = row === undefined ? f.name : `${f.name}.${row}`;
    const label = labels[f.name] ?? f.name;
    const hintText = f.hint ? labels[`${f.name}Hint`] : undefined;
    const { hint, error } = hintAndError(id, key, hintText);
    const invalid = errors[key] ? true : undefined;
    const value = one(values[f.name], row);
    const common = {
      id,
      name: f.name,
      "aria-invalid": invalid,
      "aria-describedby": describedBy(id, key, Boolean(hintText)),
    };
    const hidden = !visible(f);

    switch (f.kind) {
      case "group":
        return null;
      case "acknowledge": {
        const show = warning === f.onWarning || one(values[f.name]) === "yes";
        if (!show) return null;
        return (
          <div key={id} className="field warning" data-invalid={invalid ? "true" : undefined}>
            <p className="alert" role="alert" data-testid={`warning-${f.onWarning}`}>
              {labels[`warning.${f.onWarning}`]}
            </p>
            <label className="choice">
              <input type="checkbox" value="yes" defaultChecked={value === "yes"} {...common} />
              <span>{label}</span>
            </label>
            {error}
          </div>
        );
      }
      case "radio":
      case "checkboxes": {
        const checked =
          f.kind === "checkboxes"
            ? Array.isArray(values[f.name])
              ? (values[f.name] as string[])
              : value
                ? [value]
                : []
            : [value];
        return (
          <fieldset
            key={id}
            className="field choices"
            hidden={hidden}
            data-invalid={invalid ? "true" : undefined}
            aria-describedby={describedBy(id, key, Boolean(hintText))}
            data-field={f.name}
          >
            <legend>{label}</legend>
            {hint}
            {f.options.map((option) => (
              <label className="choice" key={option}>
                <input
                  type={f.kind === "radio" ? "radio" : "checkbox"}
                  name={f.name}
                  value={option}
                  defaultChecked={checked.includes(option)}
                  aria-invalid={invalid}
                />
                <span>{labels[`${f.name}.${option}`] ?? option}</span>
              </label>
            ))}
            {error}
          </fieldset>
        );
      }
      default: {
        let input: React.ReactNode;
        if (f.kind === "textarea")
          input = <textarea {...common} defaultValue={value} maxLength={f.maxLength} rows={3} />;
        else if (f.kind === "text" || f.kind === "date")
          input = (
            <input
              {...common}
              type={f.kind === "date" ? "date" : "text"}
              defaultValue={value}
              maxLength={f.kind === "text" ? f.maxLength : undefined}
              {...(f.kind === "date" && dateRanges[f.name])}
              autoComplete={f.autoComplete ?? (f.code ? "off" : undefined)}
              {...(f.code && {
                autoCapitalize: "characters",
                autoCorrect: "off",
                spellCheck: false,
              })}
              required={f.required}
            />
          );
        else
          input =
            // A select ignores a new defaultValue once mounted, but a form reset returns to it:
            // keyed by the value, it is rebuilt with what was just submitted. The key goes before
            // the spread: after it, the children compile to one array and React wants keys there.
            f.kind === "country" ? (
              <select
                key={`${id}:${value}`}
                {...common}
                defaultValue={value}
                required={f.required}
                dangerouslySetInnerHTML={{
                  __html: countrySelectHtml(countriesHtml, labels.choose ?? "", value),
                }}
              />
            ) : (
              <select key={`${id}:${value}`} {...common} defaultValue={value} required={f.required}>
                <option value="">{labels.choose}</option>
                {(f.kind === "select" ? f.options : []).map((option) => (
                  <option key={option} value={option}>
                    {labels[`${f.name}.${option}`] ?? option}
                  </option>
                ))}
              </select>
            );
        return (
          <div
            key={id}
            className="field"
            hidden={hidden}
            data-invalid={invalid ? "true" : undefined}
          >
            <label htmlFor={id}>
              {label}
              {!f.required && !f.conditional ? (
                <span className="muted"> ({labels.optional})</span>
              ) : null}
            </label>
            {hint}
            {input}
            {error}
          </div>
        );
      }
    }
  }

  function renderGroup(f: Extract<FieldSpec, { kind: "group" }>) {
    const count = rows[f.name] ?? f.minRows;
    return (
      <div key={f.name} className="stack" data-group={f.name}>
        {Array.from({ length: count }, (_, i) => (
          <fieldset key={i} className="group-row" data-row={i}>
            <legend>{`${labels[f.name] ?? f.name} ${i + 1}`}</legend>
            {f.fields.map((inner) => renderField(inner, i))}
            {count > f.minRows && i === count - 1 ? (
              <button
                type="button"
                className="button secondary"
                onClick={() => {
                  setRows({ ...rows, [f.name]: count - 1 });
                  setTimeout(onChange, 0);
                }}
              >
                {labels.removeRow}
              </button>
            ) : null}
          </fieldset>
        ))}
        {count < f.maxRows ? (
          <button
            type="button"
            className="button secondary"
            data-testid={`add-${f.name}`}
            onClick={() => setRows({ ...rows, [f.name]: count + 1 })}
          >
            {labels.addRow}
          </button>
        ) : null}
      </div>
    );
  }

  return (
    <form
      ref={form}
      action={submit}
      onChange={onChange}
      onSubmit={autosave.submitting}
      noValidate
      data-testid="step-form"
    >
      <input type="hidden" name="step" value={step} />
      <input type="hidden" name={WINDOW_FIELD} value={windowRef} />
      <input type="hidden" name="draftVersion" value={autosave.version} />
      <input type="hidden" name={ABANDONED_SAVE_FIELD} defaultValue="" />
      {prefilled.length > 0 ? (
        <p className="notice" role="status" data-testid="prefill-notice">
          {labels.prefillNotice}
        </p>
      ) : null}
      {state.status === "invalid" ? (
        <p className="alert" role="alert" tabIndex={-1} data-testid="error-summary">
          {state.summary}
        </p>
      ) : null}
      {state.status === "failed" || state.status === "stale" ? (
        <p className="alert" role="alert" tabIndex={-1}>
          {state.message}
        </p>
      ) : null}
      {fields.map((f) => (f.kind === "group" ? renderGroup(f) : renderField(f)))}
      <div className="actions">
        <button className="button" type="submit" disabled={pending} data-testid="step-continue">
          {labels.continue}
        </button>
        <AutosaveStatus state={autosave.state} labels={labels} />
      </div>
    </form>
  );
}
