import { OfficerTime } from "../../../_components/officer-time";
import { isCountryField } from "@/lib/kyc/steps";
import { readAnswer } from "@/lib/review/answers";
import { factsOf, isStoredTime } from "@/lib/review/facts";
import type { FieldLabels } from "@/lib/review/labels";

/**
 * A value with no schema to read it by, as `key: value` facts (lib/review/facts.ts), each value
 * isolated like any text the trader typed.
 */
export function Facts({ value }: { value: unknown }) {
  return (
    <dl className="facts">
      {factsOf(value).map(({ key, value: text }, i) => (
        <div key={i} style={{ display: "contents" }}>
          <dt>{key}</dt>
          <dd>{text === "—" ? <span className="muted">—</span> : <bdi>{text}</bdi>}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * A stored value for staff: scalars as text, lists and objects as `key: value` facts, empty as a
 * dash. Text the trader typed is isolated (`bdi`): an Arabic or Hebrew value, or one with stray
 * bidi controls, keeps its own direction and cannot reorder the labels around it.
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
          v === null || v === undefined || v === "" ? (
            <span key={i}>
              <span className="muted">—</span>{" "}
            </span>
          ) : typeof v === "object" ? (
            <Facts key={i} value={v} />
          ) : (
            <span key={i}>
              <bdi>{String(v)}</bdi>{" "}
            </span>
          ),
        )}
      </>
    );
  if (typeof value === "object") return <Facts value={value} />;
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
 * (the code on hover), a choice by its label, a stored instant (the questionnaire's `assessedAt`)
 * in the officer's time zone, anything else as stored.
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
  if (isStoredTime(field, value)) return <Time at={new Date(value)} />;
  const read = readAnswer(step, field, value);
  if (read.kind === "residences")
    return (
      <table className="queue" data-testid="tax-residences">
        <thead>
          <tr>
            <th>{fields.field("tax", "taxCountry")}</th>
            <th>{fields.field("tax", "tin")}</th>
            <th>{fields.field("tax", "noTinReason")}</th>
          </tr>
        </thead>
        <tbody>
          {read.rows.map((row, i) => (
            <tr key={i} data-country={row.country}>
              <td>
                <Countries codes={row.country} name={country} />
              </td>
              <td>
                <Value value={row.tin} />
              </td>
              <td data-reason={row.noTinReason ?? undefined}>
                <Value value={fields.option("tax", "noTinReason", row.noTinReason)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  if (read.kind === "questions")
    return (
      <dl className="facts" data-testid="questionnaire">
        {read.answers.map(({ question, answer }) => (
          <div key={question} style={{ display: "contents" }}>
            <dt>{fields.field(step, question)}</dt>
            <dd data-question={question} data-answer={answer}>
              <Value value={fields.option(step, question, answer)} />
            </dd>
          </div>
        ))}
      </dl>
    );
  return <Value value={fields.option(step, field, value)} />;
}

/** A time in the officer's time zone, UTC on hover (server-rendered as UTC). */
export function Time({ at, dateOnly }: { at: Date; dateOnly?: boolean }) {
  return <OfficerTime iso={at.toISOString()} dateOnly={dateOnly} />;
}
