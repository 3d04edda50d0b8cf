import { OfficerTime } from "../../../_components/officer-time";
import { BIDI_CONTROLS } from "@/lib/kyc/steps/fields";
import { isCountryField } from "@/lib/kyc/steps";
import type { FieldLabels } from "@/lib/review/labels";

/**
 * A value as JSON, its bidi controls written as escapes: a value stored before they were dropped
 * at the step (lib/kyc/steps/fields.ts) shows what it holds instead of reordering the line.
 */
function json(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(
    BIDI_CONTROLS,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * A stored value for staff: scalars as text, lists and objects as compact JSON, empty as a dash.
 * Text the trader typed is isolated (`bdi`): an Arabic or Hebrew value, or one with stray bidi
 * controls, keeps its own direction and cannot reorder the labels around it.
 */
export function Value({ value }: { value: unknown }) {
  if (value === null || value === undefined || value === "")
    return <span className="muted">—</span>;
  // An empty list is "none" too: a blank cell reads as a value that failed to show.
  if (Array.isArray(value) && value.length === 0) return <span className="muted">—</span>;
  if (Array.isArray(value))
    return (
      <>
        {value.map((v, i) =>
          typeof v === "object" ? (
            <pre key={i}>{json(v)}</pre>
          ) : (
            <span key={i}>
              <bdi>{String(v)}</bdi>{" "}
            </span>
          ),
        )}
      </>
    );
  if (typeof value === "object") return <pre>{json(value, 1)}</pre>;
  return <bdi>{String(value)}</bdi>;
}

/** Country codes by name in the officer's language, each code on hover (and for tools). */
export function Countries({ codes, name }: { codes: unknown; name: (code: string) => string }) {
  const list = (Array.isArray(codes) ? codes : [codes]).filter(
    (c): c is string => typeof c === "string" && c !== "",
  );
  if (list.length === 0) return <span className="muted">—</span>;
  return (
    <>
      {list.map((code, i) => (
        <span key={code}>
          {i > 0 ? ", " : null}
          <abbr title={code} data-country={code}>
            {name(code)}
          </abbr>
        </span>
      ))}
    </>
  );
}

/**
 * A value the trader typed into a step's field: a country field by name in the officer's language
 * (the code on hover), a choice by its label, anything else as stored.
 */
export function FieldValue({
  step,
  field,
  value,
  fields,
  country,
}: {
  step: string;
  field: string;
  value: unknown;
  fields: FieldLabels;
  country: (code: string) => string;
}) {
  if (isCountryField(step, field)) return <Countries codes={value} name={country} />;
  return <Value value={fields.option(step, field, value)} />;
}

/** A time in the officer's time zone, UTC on hover (server-rendered as UTC). */
export function Time({ at, dateOnly }: { at: Date; dateOnly?: boolean }) {
  return <OfficerTime iso={at.toISOString()} dateOnly={dateOnly} />;
}
