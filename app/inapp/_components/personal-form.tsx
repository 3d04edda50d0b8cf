"use client";

import { useActionState, useEffect, useRef, useState } from "react";
import { ABANDONED_SAVE_FIELD } from "@/lib/inapp/autosave-contract";
import { hasPostcodes } from "@/lib/kyc/countries";
import { countrySelectHtml } from "@/lib/kyc/country-select";
import { WINDOW_FIELD } from "@/lib/inapp/window-ref";
import { continueStep, type StepFormState } from "../kyc/actions";
import { AutosaveStatus, useAutosave } from "./use-autosave";
import { useFocusFirstError } from "./use-focus-first-error";

export type PersonalFormProps = {
  labels: Record<string, string>;
  /** Country options as HTML (lib/kyc/country-names.ts): cheap to hydrate. */
  countriesHtml: string;
  values: Record<string, string | string[] | undefined>;
  /** Fields showing a value read from the trader's document, not confirmed yet. */
  prefilled?: readonly string[];
  /** The draft's version as rendered (0: none yet): autosaves carry it. */
  draftVersion: number;
  /** The sign-in this page was rendered for (lib/inapp/window.ts): every post carries it. */
  windowRef: string;
  /** The birth dates the step accepts (lib/kyc/steps/personal.ts), for the date picker. */
  dateOfBirthRange: { min: string; max: string };
};

export function PersonalForm({
  labels,
  countriesHtml,
  values: saved,
  prefilled = [],
  draftVersion,
  windowRef,
  dateOfBirthRange,
}: PersonalFormProps) {
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
  const errors = state.status === "invalid" ? state.errors : {};
  // React resets a form once its action completes: defaults must be what was just submitted.
  const values: PersonalFormProps["values"] =
    state.status === "invalid" || state.status === "failed" || state.status === "stale"
      ? state.values
      : saved;
  const nationalities = Array.isArray(values.nationalities) ? values.nationalities : [];
  // Extra nationality selects appear on demand: ~250 options each are costly to hydrate.
  const [extraNationalities, setExtraNationalities] = useState(
    Math.min(Math.max(nationalities.length - 1, 0), 2),
  );
  // The postcode field follows the country chosen: hidden where the country has no postcodes.
  const [country, setCountry] = useState(typeof values.country === "string" ? values.country : "");
  const postcodeShown = hasPostcodes(country);

  const describedBy = (name: string, hint?: boolean) =>
    [
      hint ? `${name}-hint` : null,
      prefilled.includes(name) ? `${name}-prefill` : null,
      errors[name] ? `${name}-error` : null,
    ]
      .filter(Boolean)
      .join(" ") || undefined;

  const field = (name: string, input: React.ReactNode, hint?: string, hidden?: boolean) => (
    <div className="field" data-invalid={errors[name] ? "true" : undefined} hidden={hidden}>
      <label htmlFor={name}>{labels[name]}</label>
      {hint ? (
        <p className="hint" id={`${name}-hint`}>
          {hint}
        </p>
      ) : null}
      {prefilled.includes(name) ? (
        <p className="hint prefilled" id={`${name}-prefill`} data-prefilled={name}>
          {labels.prefillField}
        </p>
      ) : null}
      {input}
      {errors[name] ? (
        <p className="error" id={`${name}-error`} data-testid={`error-${name}`}>
          {errors[name]}
        </p>
      ) : null}
    </div>
  );

  const textInput = (
    name: string,
    props: React.InputHTMLAttributes<HTMLInputElement> = {},
    hint?: string,
    hidden?: boolean,
  ) =>
    field(
      name,
      <input
        id={name}
        name={name}
        defaultValue={typeof values[name] === "string" ? (values[name] as string) : ""}
        aria-invalid={errors[name] ? true : undefined}
        aria-describedby={describedBy(name, Boolean(hint))}
        {...props}
      />,
      hint,
      hidden,
    );

  const countrySelect = (
    name: string,
    id: string,
    value: string | undefined,
    required: boolean,
    hint = false,
    onChange?: (value: string) => void,
  ) => (
    // Keyed by its value: a mounted select ignores a new defaultValue (see step-form.tsx).
    <select
      key={`${id}:${value ?? ""}`}
      id={id}
      name={name}
      defaultValue={value ?? ""}
      required={required}
      aria-invalid={errors[name] ? true : undefined}
      aria-describedby={describedBy(name, hint)}
      aria-label={id === name ? undefined : labels.nationalityAdditional}
      // Only the address's country is the browser's "country"; filled into the country of birth
      // or a nationality, a saved address would answer those questions wrongly.
      autoComplete={name === "country" ? "country" : undefined}
      onChange={onChange ? (event) => onChange(event.target.value) : undefined}
      dangerouslySetInnerHTML={{
        __html: countrySelectHtml(
          countriesHtml,
          (required ? labels.chooseCountry : labels.optional) ?? "",
          value ?? "",
        ),
      }}
    />
  );

  return (
    <form
      ref={form}
      action={submit}
      onChange={autosave.schedule}
      onSubmit={autosave.submitting}
      noValidate
      data-testid="personal-form"
    >
      <input type="hidden" name="step" value="personal" />
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
      <fieldset>
        <legend>{labels.nameLegend}</legend>
        {textInput(
          "givenNames",
          { autoComplete: "given-name", required: true },
          labels.givenNamesHint,
        )}
        {textInput(
          "surnames",
          { autoComplete: "family-name", required: true },
          labels.surnamesHint,
        )}
      </fieldset>
      <fieldset>
        <legend>{labels.birthLegend}</legend>
        {textInput("dateOfBirth", {
          type: "date",
          autoComplete: "bday",
          required: true,
          ...dateOfBirthRange,
        })}
        {textInput("placeOfBirth", { required: true })}
        {field(
          "countryOfBirth",
          countrySelect("countryOfBirth", "countryOfBirth", values.countryOfBirth as string, true),
        )}
        {field(
          "nationalities",
          <div className="stack">
            {countrySelect("nationalities", "nationalities", nationalities[0], true, true)}
            {extraNationalities >= 1
              ? countrySelect("nationalities", "nationalities-2", nationalities[1], false)
              : null}
            {extraNationalities >= 2
              ? countrySelect("nationalities", "nationalities-3", nationalities[2], false)
              : null}
            {extraNationalities < 2 ? (
              <button
                type="button"
                className="button secondary"
                onClick={() => setExtraNationalities(extraNationalities + 1)}
                data-testid="add-nationality"
              >
                {labels.addNationality}
              </button>
            ) : null}
          </div>,
          labels.nationalitiesHint,
        )}
      </fieldset>
      <fieldset>
        <legend>{labels.addressLegend}</legend>
        {textInput("addressLine1", { autoComplete: "address-line1", required: true })}
        {textInput("addressLine2", { autoComplete: "address-line2" })}
        {textInput("city", { autoComplete: "address-level2", required: true })}
        {textInput(
          "postcode",
          { autoComplete: "postal-code", required: postcodeShown },
          undefined,
          !postcodeShown,
        )}
        {field(
          "country",
          countrySelect("country", "country", values.country as string, true, false, setCountry),
        )}
      </fieldset>
      <fieldset>
        <legend>{labels.contactLegend}</legend>
        {textInput(
          "phone",
          { type: "tel", autoComplete: "tel", required: true, dir: "ltr" },
          labels.phoneHint,
        )}
        {textInput("email", { type: "email", autoComplete: "email", required: true, dir: "ltr" })}
      </fieldset>
      <div className="actions">
        <button className="button" type="submit" disabled={pending} data-testid="personal-continue">
          {labels.continue}
        </button>
        <AutosaveStatus state={autosave.state} labels={labels} />
      </div>
    </form>
  );
}
