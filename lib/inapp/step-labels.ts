/**
 * The strings a step form needs, resolved on the server in the trader's language so the client
 * component ships no catalog: each field's label and hint, each option, warnings, and the shared
 * form words. Keys follow the catalog: `Forms.<step>.<field>`, `<field>Hint`,
 * `<field>Options.<option>`, `warnings.<key>`.
 */
import { getTranslations } from "next-intl/server";
import type { StepId } from "@/lib/kyc/levels";
import type { FieldSpec } from "@/lib/kyc/steps/fields";

type Translate = (key: string) => string;

export function collectLabelKeys(fields: readonly FieldSpec[]): [string, string][] {
  const keys: [string, string][] = [];
  for (const f of fields) {
    keys.push([f.name, f.name]);
    if (f.hint) keys.push([`${f.name}Hint`, `${f.name}Hint`]);
    if (f.kind === "radio" || f.kind === "select" || f.kind === "checkboxes")
      for (const o of f.options) keys.push([`${f.name}.${o}`, `${f.name}Options.${o}`]);
    if (f.kind === "acknowledge") keys.push([`warning.${f.onWarning}`, `warnings.${f.onWarning}`]);
    if (f.kind === "group") keys.push(...collectLabelKeys(f.fields));
  }
  return keys;
}

const SHARED = [
  "continue",
  "saving",
  "saved",
  "saveFailed",
  "staleDraft",
  "choose",
  "optional",
  "addRow",
  "removeRow",
] as const;

const SESSION_WORDS = ["sessionExpired", "otherSignIn", "uploadOnly"] as const;

export async function stepFormText(
  step: StepId,
  fields: readonly FieldSpec[],
): Promise<{ title: string; intro: string; labels: Record<string, string> }> {
  const [t, tForm, tErrors] = await Promise.all([
    getTranslations(`Forms.${step}` as never) as unknown as Promise<Translate>,
    getTranslations("Form"),
    getTranslations("Errors"),
  ]);
  const labels: Record<string, string> = {};
  for (const key of SHARED) labels[key] = tForm(key);
  // An autosave refused for the session says what the trader must do (AutosaveStatus).
  for (const key of SESSION_WORDS) labels[key] = tErrors(key);
  for (const [label, key] of collectLabelKeys(fields)) labels[label] = t(key);
  return { title: t("title"), intro: t("intro"), labels };
}
