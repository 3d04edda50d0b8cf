/** A stored value for staff: scalars as text, lists and objects as compact JSON, empty as a dash. */
export function Value({ value }: { value: unknown }) {
  if (value === null || value === undefined || value === "")
    return <span className="muted">—</span>;
  if (Array.isArray(value))
    return (
      <>
        {value.map((v, i) =>
          typeof v === "object" ? (
            <pre key={i}>{JSON.stringify(v)}</pre>
          ) : (
            <span key={i}>{String(v)} </span>
          ),
        )}
      </>
    );
  if (typeof value === "object") return <pre>{JSON.stringify(value, null, 1)}</pre>;
  return <>{String(value)}</>;
}

/** A time as UTC text, the way every console page shows it. */
export function Time({ at }: { at: Date }) {
  return (
    <time dateTime={at.toISOString()}>{at.toISOString().replace("T", " ").slice(0, 16)} UTC</time>
  );
}
