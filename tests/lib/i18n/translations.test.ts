import { readFileSync } from "node:fs";
import path from "node:path";
import { createTranslator, type Messages } from "next-intl";
import { LOCALES } from "@/lib/i18n/config";
import { sharedMessageFormatCount, translatorFor } from "@/lib/i18n/translations";

const catalog = (locale: string): Messages =>
  JSON.parse(readFileSync(path.join(process.cwd(), "messages", `${locale}.json`), "utf8"));

/** What the status screen formats, with every value its select arguments can take. */
function statusScreenStrings(
  translate: (
    namespace: "Status" | "CaseStatus" | "Upload",
  ) => (key: never, values?: object) => string,
): string[] {
  const status = translate("Status");
  const caseStatus = translate("CaseStatus");
  const upload = translate("Upload");
  const out: string[] = [status("title" as never)];
  for (const s of ["draft", "submitted", "in_review", "approved", "action_required", "other"]) {
    out.push(
      caseStatus("name" as never, { status: s }),
      caseStatus("explain" as never, { status: s }),
    );
  }
  for (const hours of [1, 2, 48]) out.push(status("reviewTime" as never, { hours }));
  for (const state of ["missing", "uploaded", "retake"])
    out.push(status("documentState" as never, { state }));
  for (const type of ["identity", "address", "source_of_funds"])
    out.push(upload("requested" as never, { type }));
  for (const event of ["opened", "submit", "request_action", "unknown"])
    out.push(status("timelineEvent" as never, { event }));
  return out;
}

describe("server translations with process-wide message formats", () => {
  it("format every status screen message in every locale exactly as a per-request translator does", () => {
    for (const locale of LOCALES) {
      const messages = catalog(locale);
      const request = { locale, messages, timeZone: "UTC" };
      const shared = statusScreenStrings(
        (ns) => translatorFor(request, ns) as unknown as (key: never, values?: object) => string,
      );
      const fresh = statusScreenStrings(
        (ns) =>
          createTranslator({ ...request, namespace: ns }) as unknown as (
            key: never,
            values?: object,
          ) => string,
      );
      expect(shared).toEqual(fresh);
      expect(shared.every((s) => typeof s === "string")).toBe(true);
    }
  });

  it("parse a message once per process, not once per request", () => {
    const request = () => ({ locale: "de", messages: catalog("de"), timeZone: "UTC" });
    const before = sharedMessageFormatCount();
    translatorFor(request(), "Status")("supportEmail", { email: "a@example.com" });
    expect(sharedMessageFormatCount()).toBe(before + 1);
    // A later request: new config objects, same locale and message text.
    expect(translatorFor(request(), "Status")("supportEmail", { email: "b@example.com" })).toBe(
      createTranslator({ ...request(), namespace: "Status" })("supportEmail", {
        email: "b@example.com",
      }),
    );
    expect(sharedMessageFormatCount()).toBe(before + 1);
    // Another locale is another format, never the German one reused.
    const fr = { locale: "fr", messages: catalog("fr"), timeZone: "UTC" };
    expect(translatorFor(fr, "Status")("supportEmail", { email: "c@example.com" })).toBe(
      createTranslator({ ...fr, namespace: "Status" })("supportEmail", { email: "c@example.com" }),
    );
    expect(sharedMessageFormatCount()).toBe(before + 2);
  });
});
