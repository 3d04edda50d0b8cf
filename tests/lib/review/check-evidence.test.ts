/**
 * A check's evidence as the officer reads it (lib/review/check-evidence.ts): every key any check's
 * evidence schema can hold is labelled in every language, an unknown key still shows as itself,
 * and stored codes and instants read as words and times.
 */
import type { z } from "zod";
import { CHECK_EVIDENCE } from "@/lib/checks/evidence";
import { evidenceFacts } from "@/lib/review/check-evidence";
import { LOCALES } from "@/lib/i18n/config";
import { fieldLabelsIn, labelsIn } from "@/lib/review/labels";

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  options?: z.ZodType[];
  element?: z.ZodType;
  innerType?: z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  entries?: Record<string, string>;
};
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/**
 * The keys a schema's objects can hold, at any depth; a record's keys only when they are a closed
 * list (a list's own name is data). Screening hits are summed up in the evidence, not listed.
 */
function schemaKeys(schema: z.ZodType, into = new Set<string>()): Set<string> {
  const def = defOf(schema);
  if (def.type === "object")
    for (const [key, value] of Object.entries(def.shape!)) {
      into.add(key);
      if (key !== "hits") schemaKeys(value, into);
    }
  else if (def.type === "union") def.options!.forEach((o) => schemaKeys(o, into));
  else if (def.type === "array") schemaKeys(def.element!, into);
  else if (def.type === "nullable" || def.type === "optional") schemaKeys(def.innerType!, into);
  else if (def.type === "record") {
    const keys = defOf(def.keyType!);
    if (keys.type === "enum") Object.values(keys.entries!).forEach((k) => into.add(k));
    schemaKeys(def.valueType!, into);
  }
  return into;
}

const KEYS = [
  ...Object.values(CHECK_EVIDENCE).reduce((all, s) => schemaKeys(s, all), new Set<string>()),
];

describe("check evidence in the officer's words", () => {
  it("finds the keys of every check's evidence", () => {
    expect(KEYS).toEqual(
      expect.arrayContaining([
        "isPep",
        "maxScore",
        "taxCountries",
        "thresholds",
        "surnames",
        "frames",
      ]),
    );
  });

  it.each(LOCALES)("labels every key any check stores in %s", async (locale) => {
    const label = await labelsIn(locale);
    expect(KEYS.filter((key) => label.evidenceKey(key) === key)).toEqual([]);
  });

  it("shows a key it does not know as the key, and values in words", async () => {
    const words = { label: await labelsIn("en"), fields: await fieldLabelsIn("en") };
    expect(
      evidenceFacts(
        {
          fields: { surnames: "near" },
          signals: { liveness: "consider" },
          completedAt: "2026-12-01T09:30:00.000Z",
          retryAllowed: false,
          olderKey: "kept",
        },
        words,
      ),
    ).toEqual([
      {
        key: "fields",
        label: "Fields",
        value: {
          kind: "facts",
          facts: [
            {
              key: "surnames",
              label: "Surnames",
              value: {
                kind: "word",
                code: "near",
                word: expect.stringMatching(/^one character apart/),
              },
            },
          ],
        },
      },
      {
        key: "signals",
        label: "Signals",
        value: {
          kind: "facts",
          facts: [
            {
              key: "liveness",
              label: "Liveness",
              value: { kind: "word", code: "consider", word: "Consider" },
            },
          ],
        },
      },
      {
        key: "completedAt",
        label: "Completed",
        value: { kind: "time", iso: "2026-12-01T09:30:00.000Z" },
      },
      {
        key: "retryAllowed",
        label: "Retry allowed",
        value: { kind: "word", code: "false", word: "No" },
      },
      { key: "olderKey", label: "olderKey", value: { kind: "text", text: "kept" } },
    ]);
  });
});
