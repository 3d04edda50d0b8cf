/**
 * The upload, selfie and vendor-capture screens word every refusal in the trader's language: the API's own (a
 * session that ended, a window of an earlier sign-in) as well as the upload's, and a reason they
 * do not know as the catalog's generic one — never the English `message` of the body.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { createTranslator } from "use-intl";
import { refusalWords } from "@/lib/documents/refusal-words";
import {
  SESSION_REFUSALS,
  selfieRefusalWords,
  UPLOAD_REFUSALS,
} from "@/lib/documents/upload-contract";
import { LOCALES } from "@/lib/i18n/config";
import {
  sessionRefusalLabels,
  uploadRefusalMessages,
  vendorStepLabels,
} from "@/lib/inapp/refusal-words";
import { captureRefusal } from "@/lib/vendors/verdict";

const catalog = (locale: string) =>
  JSON.parse(readFileSync(path.join(process.cwd(), "messages", `${locale}.json`), "utf8"));

/** The catalog's words as the upload page resolves them (app/inapp/kyc/upload/page.tsx). */
function translators(locale: string) {
  const messages = catalog(locale);
  const upload = createTranslator({
    locale,
    messages,
    namespace: "Upload" as never,
  }) as unknown as (key: string, values: object) => string;
  const errors = createTranslator({
    locale,
    messages,
    namespace: "Errors" as never,
  }) as unknown as (key: string) => string;
  return {
    refused: (reason: string) => upload("refused", { reason, max: 10 }),
    errors: (key: string) => errors(key),
  };
}

/** The words the upload page hands its screen, by the page's own mapping. */
function screenWords(locale: string): Record<string, string> {
  const { refused, errors } = translators(locale);
  return uploadRefusalMessages(refused, errors);
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
    // A JSON body over the API's limit is not a file over the upload limit.
    expect(all.request_too_large).not.toBe(all.too_large);
    expect(all.request_too_large).not.toBe(generic);
    // A file chosen for a round already sent asks for the file again, not for nothing more.
    expect(all.earlier_round).not.toBe(generic);
    expect(all.earlier_round).not.toBe(all.not_editable);
    for (const reason of [...UPLOAD_REFUSALS, ...SESSION_REFUSALS])
      expect({ reason, words: all[reason] || null }).toEqual({ reason, words: expect.any(String) });
  });
});

describe("the selfie screen's words for the session's refusals", () => {
  it.each([...LOCALES])(
    "tells a window of an earlier sign-in to reload, and an ended session to start again, in %s",
    (locale) => {
      const { errors } = translators(locale);
      const selfie = catalog(locale).Selfie as Record<string, string>;
      // The labels the selfie screen gets: its own catalog and the session's words.
      const labels: Record<string, string> = { ...sessionRefusalLabels(errors), ...selfie };
      const shown = (reason: string) => labels[selfieRefusalWords(reason)];
      expect(shown("other_sign_in")).toBe(catalog(locale).Errors.otherSignIn);
      expect(shown("session_expired")).toBe(catalog(locale).Errors.sessionExpired);
      expect(shown("other_sign_in")).not.toBe(selfie.failed);
      expect(shown("session_expired")).not.toBe(selfie.failed);
      expect(shown("something_new")).toBe(selfie.failed);
      expect(shown("constructor")).toBe(selfie.failed);
    },
  );
});

describe("the vendor capture's words for the session's refusals", () => {
  it.each([...LOCALES])(
    "tells a window of an earlier sign-in to reload, and an ended session to start again, in %s",
    (locale) => {
      const { errors } = translators(locale);
      const vendor = catalog(locale).VendorStep as Record<string, string>;
      const labels: Record<string, string> = vendorStepLabels((key) => vendor[key]!, errors);
      const shown = (reason: string) =>
        labels[captureRefusal(409, { error: "Conflict", message: "x", code: "X", reason })];
      expect(shown("other_sign_in")).toBe(catalog(locale).Errors.otherSignIn);
      expect(shown("session_expired")).toBe(catalog(locale).Errors.sessionExpired);
      expect(shown("other_sign_in")).not.toBe(vendor.failed);
      expect(shown("session_expired")).not.toBe(vendor.failed);
      expect(shown("something_new")).toBe(vendor.failed);
      expect(shown("constructor")).toBe(vendor.failed);
    },
  );
});
