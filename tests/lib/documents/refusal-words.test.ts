/**
 * The upload screen words every refusal in the trader's language: the API's own (a session that
 * ended, a window of an earlier sign-in) as well as the upload's, and a reason it does not know
 * as the catalog's generic one — never the English `message` of the body.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { createTranslator } from "use-intl";
import { refusalWords } from "@/lib/documents/refusal-words";
import { SESSION_REFUSALS, UPLOAD_REFUSALS } from "@/lib/documents/upload-contract";
import { LOCALES } from "@/lib/i18n/config";

const catalog = (locale: string) =>
  JSON.parse(readFileSync(path.join(process.cwd(), "messages", `${locale}.json`), "utf8"));

/** The words the upload page hands its screen (app/inapp/kyc/upload/page.tsx). */
function screenWords(locale: string): Record<string, string> {
  const messages = catalog(locale);
  const t = createTranslator({ locale, messages, namespace: "Upload" as never });
  const errors = messages.Errors as Record<string, string>;
  const words: Record<string, string> = Object.fromEntries(
    [...UPLOAD_REFUSALS, ...SESSION_REFUSALS, "other"].map((reason) => [
      reason,
      (t as unknown as (k: string, v: object) => string)("refused", { reason, max: 10 }),
    ]),
  );
  words.session_expired = errors.sessionExpired!;
  words.other_sign_in = errors.otherSignIn!;
  return words;
}

describe("the upload screen's words for a refusal", () => {
  const words = { session_expired: "Sitzung abgelaufen", other: "Nicht angenommen" };

  it("shows its own words for the reason, never the body's English message", () => {
    expect(
      refusalWords(words, { reason: "session_expired", message: "no live session" }, "failed"),
    ).toBe("Sitzung abgelaufen");
  });

  it("reads a reason it has no words for as the generic refusal, not the message", () => {
    expect(refusalWords(words, { reason: "something_new", message: "raw english" }, "failed")).toBe(
      "Nicht angenommen",
    );
    expect(refusalWords(words, { reason: "constructor" }, "failed")).toBe("Nicht angenommen");
  });

  it("says the upload failed when the answer was no refusal body at all", () => {
    expect(refusalWords(words, null, "failed")).toBe("failed");
  });

  it.each([...LOCALES])("has words for the session's refusals in %s", (locale) => {
    const all = screenWords(locale);
    const generic = all.other;
    expect(all.session_expired).toBe(catalog(locale).Errors.sessionExpired);
    expect(all.other_sign_in).toBe(catalog(locale).Errors.otherSignIn);
    expect(all.session_expired).not.toBe(generic);
    expect(all.other_sign_in).not.toBe(generic);
  });
});
