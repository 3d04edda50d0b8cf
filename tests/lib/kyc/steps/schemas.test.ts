import fc from "fast-check";
import { z } from "zod";
import { STEPS } from "@/lib/kyc/levels";
import { STEP_DEFINITIONS } from "@/lib/kyc/steps";
import {
  appropriatenessFields,
  appropriatenessSchema,
  NOT_APPROPRIATE_WARNING,
} from "@/lib/kyc/steps/appropriateness";
import { ERROR_KEYS } from "@/lib/kyc/steps/errors";
import {
  fieldNames,
  parseWithSchema,
  type FieldSpec,
  type StepParse,
  type StepValues,
} from "@/lib/kyc/steps/fields";
import { identityDocumentFields, identityDocumentSchema } from "@/lib/kyc/steps/identity-document";
import { PERSONAL_FIELDS } from "@/lib/kyc/steps/personal";
import {
  employmentFields,
  employmentSchema,
  parseEmployment,
  parsePep,
  parseSourceOfFunds,
  pepFields,
  pepSchema,
  purposeFields,
  purposeSchema,
  sourceOfFundsFields,
  sourceOfFundsSchema,
} from "@/lib/kyc/steps/profile";
import { proofOfAddressFields, proofOfAddressSchema } from "@/lib/kyc/steps/proof-of-address";
import { parseTax, taxFields, taxSchema } from "@/lib/kyc/steps/tax";

const NOW = new Date("2026-11-25T10:00:00Z");

describe("parseWithSchema", () => {
  const schema = z.object({
    name: z.string().min(1, { error: "required" }).max(3, { error: "tooLong" }),
    code: z.string().regex(/^\d+$/, { error: "invalidCharacters" }),
    rows: z.array(
      z.object({ country: z.string().length(2, { error: "invalidCountry" }) }).nullable(),
    ),
    list: z.array(z.string().min(1, { error: "required" })),
    count: z.number(),
  });
  const valid = { name: "abc", code: "1", rows: [{ country: "DE" }], list: ["a"], count: 1 };

  it("passes the schema's data through when nothing is wrong", () => {
    expect(parseWithSchema(schema, valid)).toEqual({ ok: true, data: valid });
  });

  it("reports every field at once, the first issue on each", () => {
    const result = parseWithSchema(schema, { ...valid, name: "", code: "x" });
    expect(result).toEqual({ ok: false, errors: { name: "required", code: "invalidCharacters" } });
  });

  it("keys an issue inside a group row as <field>.<row>, and one in a plain list by the list", () => {
    const result = parseWithSchema(schema, {
      ...valid,
      rows: [{ country: "DE" }, null, { country: "DEU" }],
      list: ["a", ""],
    });
    expect(result).toEqual({
      ok: false,
      errors: { "country.2": "invalidCountry", list: "required" },
    });
  });

  it("never shows a raw zod message: an unknown message reads as required", () => {
    expect(parseWithSchema(schema, { ...valid, count: "one" })).toEqual({
      ok: false,
      errors: { count: "required" },
    });
  });

  it("lets errors found outside the schema win, and fails on them alone", () => {
    expect(parseWithSchema(schema, { ...valid, name: "" }, { name: "invalidPhone" })).toEqual({
      ok: false,
      errors: { name: "invalidPhone" },
    });
    expect(parseWithSchema(schema, valid, { code: "duplicate" })).toEqual({
      ok: false,
      errors: { code: "duplicate" },
    });
  });
});

// ---- the schemas against the field specs that draw the form ----

const GENERIC_SCHEMAS: [string, readonly FieldSpec[], z.ZodType][] = [
  ["identity_document", identityDocumentFields, identityDocumentSchema(NOW)],
  ["proof_of_address", proofOfAddressFields, proofOfAddressSchema(NOW)],
  ["tax", taxFields, taxSchema],
  ["source_of_funds", sourceOfFundsFields, sourceOfFundsSchema],
  ["employment", employmentFields, employmentSchema],
  ["purpose", purposeFields, purposeSchema],
  ["pep", pepFields, pepSchema],
  ["appropriateness", appropriatenessFields, appropriatenessSchema(NOW)],
];

/** Every enum a schema checks, by the name of the object property it sits under. */
function enumsByField(
  schema: z.core.$ZodType,
  field = "",
  found = new Map<string, string[]>(),
): Map<string, string[]> {
  const def = schema._zod.def;
  switch (def.type) {
    case "enum":
      found.set(field, Object.values((def as z.core.$ZodEnumDef).entries).map(String));
      break;
    case "pipe": {
      const pipe = def as z.core.$ZodPipeDef;
      enumsByField(pipe.in, field, found);
      enumsByField(pipe.out, field, found);
      break;
    }
    case "nullable":
    case "optional":
      enumsByField((def as z.core.$ZodNullableDef).innerType, field, found);
      break;
    case "array":
      enumsByField((def as z.core.$ZodArrayDef).element, field, found);
      break;
    case "object":
      for (const [name, inner] of Object.entries((def as z.core.$ZodObjectDef).shape))
        enumsByField(inner, name, found);
      break;
  }
  return found;
}

function flatten(fields: readonly FieldSpec[]): FieldSpec[] {
  return fields.flatMap((f) => (f.kind === "group" ? flatten(f.fields) : [f]));
}

describe("step schemas and field specs", () => {
  it.each(GENERIC_SCHEMAS)(
    "the %s schema accepts exactly the options its form offers, on the same fields",
    (_, fields, schema) => {
      const offered = new Map(
        flatten(fields).flatMap((f) =>
          f.kind === "radio" || f.kind === "select" || f.kind === "checkboxes"
            ? [[f.name, [...f.options]] as const]
            : [],
        ),
      );
      expect(enumsByField(schema)).toEqual(offered);
    },
  );

  const TEXT_FIELDS: [string, (values: StepValues) => StepParse<unknown>, StepValues][] = [
    ["sourceDetails", parseSourceOfFunds, { sources: ["other"] }],
    [
      "occupation",
      parseEmployment,
      { employmentStatus: "employed", employer: "A", industry: "retail" },
    ],
    [
      "employer",
      parseEmployment,
      { employmentStatus: "employed", occupation: "B", industry: "retail" },
    ],
    ["pepPosition", parsePep, { isPep: "yes", pepRelation: "self", pepCountry: "IT" }],
  ];
  it.each(TEXT_FIELDS)(
    "%s is refused as too long exactly past the form's maxLength",
    (field, parse, others) => {
      const spec = flatten([...sourceOfFundsFields, ...employmentFields, ...pepFields]).find(
        (f) => f.name === field,
      );
      const max = spec && "maxLength" in spec ? spec.maxLength : NaN;
      expect(parse({ ...others, [field]: "x".repeat(max) }).ok).toBe(true);
      expect(parse({ ...others, [field]: "x".repeat(max + 1) })).toEqual({
        ok: false,
        errors: { [field]: "tooLong" },
      });
    },
  );

  it("a TIN is refused as too long exactly past the form's maxLength", () => {
    const tinSpec = flatten(taxFields).find((f) => f.name === "tin");
    const max = tinSpec && "maxLength" in tinSpec ? tinSpec.maxLength : NaN;
    // AE has no national format: any 2–30 letters and digits.
    expect(parseTax({ taxCountry: ["AE"], tin: ["1".repeat(max)] }).ok).toBe(true);
    expect(parseTax({ taxCountry: ["AE"], tin: ["1".repeat(max + 1)] })).toEqual({
      ok: false,
      errors: { "tin.0": "tooLong" },
    });
  });
});

// ---- every step, on whatever a client posts ----

/** The error keys a step may report: its fields, and each group field once per row. */
function errorFields(fields: readonly FieldSpec[] | null): Set<string> {
  if (!fields) return new Set(PERSONAL_FIELDS);
  return new Set(
    fields.flatMap((f) =>
      f.kind === "group"
        ? f.fields.flatMap((inner) =>
            Array.from({ length: f.maxRows }, (_, row) => `${inner.name}.${row}`),
          )
        : [f.name],
    ),
  );
}

/** Values that reach past the first checks: real options, countries, dates, TINs, near misses. */
const TOKENS = [
  "",
  " ",
  "yes",
  " no ",
  "other",
  "employed",
  "self_employed",
  "DE",
  "de",
  "XX",
  "AE",
  "2026-11-25",
  "2031-02-30",
  "1990-04-12",
  "86095742719",
  "86095742718",
  "not_issued",
  "x".repeat(600),
  ...STEPS.flatMap((step) =>
    flatten(STEP_DEFINITIONS[step].fields ?? []).flatMap((f) =>
      "options" in f ? [...f.options] : [],
    ),
  ),
];
const postedValue = fc.oneof(
  fc.constantFrom(...TOKENS),
  fc.string({ maxLength: 40 }),
  fc.array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 10 })), { maxLength: 8 }),
);

describe.each(STEPS)("the %s step on arbitrary input", (step) => {
  const definition = STEP_DEFINITIONS[step];
  const names = definition.fields ? fieldNames(definition.fields) : [...PERSONAL_FIELDS];
  const allowed = errorFields(definition.fields);

  function expectStepResult(result: ReturnType<typeof definition.parse>) {
    if (result.ok) {
      expect(result.data).toBeDefined();
    } else {
      // A refused step always says why, on a field the screen shows, in words it has.
      expect(Object.keys(result.errors).length).toBeGreaterThan(0);
      for (const [key, error] of Object.entries(result.errors)) {
        expect(allowed).toContain(key);
        expect(ERROR_KEYS).toContain(error);
      }
    }
    expect([undefined, NOT_APPROPRIATE_WARNING]).toContain(result.warning);
  }

  it("parses any strings and lists into data or known error keys on its own fields, never throwing", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...names, "admin", "__proto__"), postedValue),
        (values) => expectStepResult(definition.parse(values, NOW)),
      ),
      { numRuns: 300 },
    );
  });

  it("does the same for any form a client can post", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...names, "admin"), fc.string({ maxLength: 40 }))),
        fc.array(fc.tuple(fc.constantFrom(...names), fc.constantFrom(...TOKENS))),
        (noise, tokens) => {
          const form = new FormData();
          for (const [name, value] of [...tokens, ...noise]) form.append(name, value);
          expectStepResult(definition.parse(definition.valuesFrom(form), NOW));
        },
      ),
      { numRuns: 300 },
    );
  });
});
