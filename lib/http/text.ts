/**
 * Text from outside (forms, URLs, other servers) before it is kept: control characters dropped.
 * PostgreSQL refuses NUL in `text` and `jsonb` ("invalid byte sequence", "unsupported Unicode
 * escape sequence"), so a NUL that reaches a query is a failed request, or worse a failure in
 * later work (checks, deliveries) that reads the value back; the other controls are never
 * meaningful in a name, an address or a note. Tabs and line breaks stay where a value may have
 * lines (`lines: true`, a note or a message).
 */
const CONTROL = /[\u0000-\u001f\u007f]/g;
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

export function cleanText(value: string, { lines = false }: { lines?: boolean } = {}): string {
  return value.replace(lines ? CONTROL_BUT_LINES : CONTROL, "");
}

/** A form field as text: a file or a missing field reads as "", cleaned and cut to `max`. */
export function formText(
  form: FormData,
  name: string,
  max: number,
  options?: { lines?: boolean },
): string {
  const value = form.get(name);
  return typeof value === "string" ? cleanText(value, options).slice(0, max) : "";
}
