/**
 * Which fields of a step apply to the answers given. Its own module, free of zod, because the
 * screen asks it on every change while the server's step schema asks it once: one rule for both,
 * and the screen's bundle stays small.
 */
import type { FieldSpec } from "./fields";

export function findField(fields: readonly FieldSpec[], name: string): FieldSpec | undefined {
  for (const field of fields) {
    if (field.name === name) return field;
    const inner = field.kind === "group" ? findField(field.fields, name) : undefined;
    if (inner) return inner;
  }
  return undefined;
}

const answers = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value])
    .filter((v): v is string => typeof v === "string")
    .map((v) => v.trim());

/**
 * Whether a field applies: its `showWhen` field has one of the listed values (any of them, for a
 * list such as checkboxes), and that field applies itself. The screen hides a field that does not
 * apply and the step schema reads it as null, whatever was posted.
 */
export function isShown(
  fields: readonly FieldSpec[],
  field: FieldSpec,
  values: Record<string, unknown>,
): boolean {
  if (!field.showWhen) return true;
  const { field: name, in: expected } = field.showWhen;
  const controlling = findField(fields, name);
  if (controlling && controlling !== field && !isShown(fields, controlling, values)) return false;
  return answers(values[name]).some((value) => expected.includes(value));
}
