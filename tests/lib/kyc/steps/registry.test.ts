import en from "@/messages/en.json";
import { collectLabelKeys } from "@/lib/inapp/step-labels";
import { STEPS } from "@/lib/kyc/levels";
import { STEP_DEFINITIONS } from "@/lib/kyc/steps";
import { ERROR_KEYS } from "@/lib/kyc/steps/errors";

function lookup(path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], en);
}

describe("step registry and catalogs", () => {
  it("every step of every level has a definition", () => {
    expect(Object.keys(STEP_DEFINITIONS).sort()).toEqual([...STEPS].sort());
  });

  it.each(STEPS.filter((s) => STEP_DEFINITIONS[s].fields))(
    "the %s form has a title, an intro and a label for every field, hint, option and warning",
    (step) => {
      const missing = [
        "title",
        "intro",
        ...collectLabelKeys(STEP_DEFINITIONS[step].fields ?? []).map(([, key]) => key),
      ].filter((key) => typeof lookup(`Forms.${step}.${key}`) !== "string");
      expect(missing).toEqual([]);
    },
  );

  it("every error a step can report has a sentence in the catalog", () => {
    expect(ERROR_KEYS.filter((key) => typeof lookup(`Errors.${key}`) !== "string")).toEqual([]);
  });
});
