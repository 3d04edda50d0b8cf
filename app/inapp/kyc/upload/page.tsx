import { getTranslations } from "next-intl/server";
import {
  DOCUMENT_SIDES,
  DOCUMENT_STATES,
  SELFIE_PROMPTS,
  SELFIE_REFUSAL_WORDS,
} from "@/lib/documents/upload-contract";
import { acceptsDocuments } from "@/lib/documents/service";
import { env } from "@/lib/env";
import { PHONE_HANDOFF_MINUTES } from "@/lib/identity/phone-handoff";
import { DOCUMENT_TYPES, parseDocumentType } from "@/lib/inapp/params";
import { getUploadContext } from "@/lib/inapp/screen-context";
import {
  sessionRefusalLabels,
  uploadRefusalMessages,
  vendorStepLabels,
} from "@/lib/inapp/refusal-words";
import { windowRefOf } from "@/lib/inapp/window";
import { documentScreen, documentSides } from "@/lib/kyc/submission";
import { documentReasonLabels } from "@/lib/kyc/document-reasons";
import { loadTraderView, requestNote, uploadAccess, WORKING_PHASES } from "@/lib/kyc/trader-view";
import { NoSessionScreen } from "../../_components/no-session-screen";
import { NextStep } from "../../_components/next-step";
import { requestWords } from "../../_components/request-words";
import { ReviewerMessage } from "../../_components/reviewer-message";
import { ScreenLink } from "../../_components/screen-link";
import { UploadScreen } from "../../_components/upload/upload-screen";
import { SelfieLoader } from "../../_components/selfie/selfie-loader";
import { withPageScope } from "@/lib/http/action-scope";
import { loadVendorState } from "@/lib/vendors/verification";
import { VendorStepLoader } from "../../_components/vendor/vendor-step-loader";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const LABELS = [
  "chooseFile",
  "takePhoto",
  "useCamera",
  "capture",
  "retake",
  "useAnyway",
  "upload",
  "cancel",
  "retry",
  "replace",
  "replaceHint",
  "frameHint",
  "cameraUnavailable",
  "cameraStarting",
  "preparing",
  "uploading",
  "checking",
  "accepted",
  "uploadFailed",
  "cancelled",
  "preview",
  "pdfPreview",
  "qualityIntro",
  "phoneTitle",
  "phoneIntro",
  "phoneLink",
  "phoneWaiting",
  "phoneCodeExpired",
  "phoneNewCode",
  "phoneUnavailable",
  "phoneDone",
  "allDone",
] as const;
const QUALITY = ["too_small", "blurry", "too_dark", "glare"] as const;
const SELFIE_LABELS = [
  "liveOnly",
  "start",
  "cameraStarting",
  "frameHint",
  "uploading",
  "done",
  "again",
  "failed",
  ...Object.values(SELFIE_REFUSAL_WORDS),
  "noCamera",
] as const;
const PHONE_LABELS = [
  "phoneTitle",
  "phoneIntro",
  "phoneLink",
  "phoneWaiting",
  "phoneCodeExpired",
  "phoneNewCode",
  "phoneUnavailable",
  "retry",
] as const;
const VENDOR_LABELS = { sumsub: "Sumsub", onfido: "Onfido" } as const;

async function UploadPage({ searchParams }: Props) {
  const query = await searchParams;
  const raw = query.documentType;
  const type = parseDocumentType(typeof raw === "string" ? raw : undefined);
  // A phone-handoff session sees its own document type's upload and nothing else.
  const context = await getUploadContext(type);
  if (!context?.kycCase) return <NoSessionScreen query={query} screen="upload" />;
  const { kycCase, session, scoped } = context;
  const windowRef = windowRefOf(session);
  const [t, tStatus, tKyc, view] = await Promise.all([
    getTranslations("Upload"),
    getTranslations("Status"),
    getTranslations("Kyc"),
    loadTraderView(kycCase),
  ]);
  const { phase, progress } = view;
  const { request } = progress;
  // The level's vendor step: on the identity screen and the list of uploads, while editable.
  const vendor =
    scoped || (type !== undefined && type !== "identity") ? null : await loadVendorState(kycCase);
  const [tVendor, tVendorErrors] = vendor
    ? await Promise.all([getTranslations("VendorStep"), getTranslations("Errors")])
    : [null, null];
  const vendorStep =
    vendor && tVendor && tVendorErrors ? (
      <section
        className="card"
        data-testid="vendor-step"
        data-vendor={vendor.vendor}
        data-vendor-status={vendor.status}
      >
        <h2>{tVendor("title")}</h2>
        {vendor.status === "not_started" || vendor.status === "started" ? (
          WORKING_PHASES.has(phase) ? (
            <>
              <p>{tVendor("intro", { vendor: VENDOR_LABELS[vendor.vendor] })}</p>
              <VendorStepLoader
                vendor={vendor.vendor}
                locale={session.locale}
                windowRef={windowRef}
                labels={vendorStepLabels(tVendor, (key) => tVendorErrors(key))}
              />
            </>
          ) : null
        ) : (
          <p data-testid="vendor-done">{tVendor("done")}</p>
        )}
      </section>
    ) : null;
  const back = scoped ? (
    <p className="muted" data-testid="handoff-scope">
      {t("phoneScope")}
    </p>
  ) : (
    <p>
      <ScreenLink className="button secondary" href="/inapp/kyc?view=overview">
        {t("backToVerification")}
      </ScreenLink>
    </p>
  );
  // Nothing to upload in this phase: say where the case stands; the status screen says more.
  const closed = (
    <NextStep
      phase={phase}
      next={view.next}
      link={
        scoped || WORKING_PHASES.has(phase)
          ? undefined
          : { href: "/inapp/kyc/status", label: tKyc("viewStatus") }
      }
    />
  );

  if (!type) {
    const open = DOCUMENT_TYPES.filter((d) => uploadAccess(phase, progress, d).open);
    return (
      <>
        <h1>{t("title")}</h1>
        {open.length > 0 ? (
          <section className="card">
            <p>{t("chooseType")}</p>
            <ul>
              {open.map((d) => (
                <li key={d}>
                  <ScreenLink href={`/inapp/kyc/upload?documentType=${d}`}>
                    {t("requested", { type: d })}
                  </ScreenLink>
                </li>
              ))}
            </ul>
          </section>
        ) : (
          closed
        )}
        {vendorStep}
        {back}
      </>
    );
  }

  const access = uploadAccess(phase, progress, type);
  if (!access.open) {
    return (
      <>
        <h1>{t("requested", { type })}</h1>
        {access.why === "kept" ? (
          <section className="card" data-testid="upload-kept">
            <p>{t("kept")}</p>
          </section>
        ) : (
          closed
        )}
        {back}
      </>
    );
  }
  const general = await requestWords(kycCase, request);
  const note = requestNote(request, { documentType: type }, general);

  // Phones use their own camera; the QR code is for the desktop and web apps.
  const onPhone =
    session.source === "iOS" ||
    session.source === "Android" ||
    session.identityMode === "phone-handoff";

  if (type === "selfie") {
    const [tSelfie, tErrors, sides] = await Promise.all([
      getTranslations("Selfie"),
      getTranslations("Errors"),
      documentSides(kycCase, type, progress),
    ]);
    const selfieLabels: Record<string, string> = sessionRefusalLabels((key) => tErrors(key));
    for (const key of SELFIE_LABELS) selfieLabels[key] = tSelfie(key);
    selfieLabels.progress = tSelfie("progress", { step: "{step}", total: "{total}" });
    for (const key of PHONE_LABELS)
      selfieLabels[key] = t(key, { minutes: PHONE_HANDOFF_MINUTES } as never);
    return (
      <>
        <h1>{tSelfie("title")}</h1>
        <section
          className="card"
          data-testid="document-type"
          data-type={type}
          data-window={windowRef}
        >
          <p>{tSelfie("intro")}</p>
          {note ? <ReviewerMessage text={note} label={tKyc("reviewerMessage")} /> : null}
        </section>
        <SelfieLoader
          done={sides.every((s) => s.state === "accepted")}
          labels={selfieLabels}
          prompts={Object.fromEntries(
            SELFIE_PROMPTS.map((prompt) => [prompt, tSelfie("prompt", { prompt })]),
          )}
          phoneHandoff={!onPhone}
          windowRef={windowRef}
        />
        {back}
      </>
    );
  }

  const maxMb = Math.floor(env().storage.uploadMaxBytes / 1_000_000);
  const tErrors = await getTranslations("Errors");
  // The session's words too: the phone panel says them when no link can be made.
  const labels: Record<string, string> = sessionRefusalLabels((key) => tErrors(key));
  for (const key of LABELS)
    labels[key] = t(key, { percent: "{percent}", minutes: PHONE_HANDOFF_MINUTES } as never);
  labels.fileHint = t("fileHint", { max: maxMb });
  for (const state of DOCUMENT_STATES)
    labels[`state_${state}`] = tStatus("documentState", { state });
  const sideLabels = Object.fromEntries(DOCUMENT_SIDES.map((side) => [side, t("side", { side })]));
  const qualityMessages = Object.fromEntries(
    QUALITY.map((issue) => [issue, t("quality", { issue })]),
  );
  const refusedMessages = uploadRefusalMessages(
    (reason) => t("refused", { reason, max: maxMb }),
    (key) => tErrors(key),
  );
  const why = {
    identity: "whyIdentity",
    address: "whyAddress",
    additional: "whyAdditional",
  } as const;
  const [{ sides, identityKind }, editable] = await Promise.all([
    documentScreen(kycCase, type, progress),
    // What the upload API takes: the screen offers no upload or replace the server would refuse.
    acceptsDocuments(kycCase, type),
  ]);
  return (
    <>
      <h1>{t("requested", { type })}</h1>
      <section className="card" data-testid="document-type" data-type={type}>
        <p>{t("explain", { type })}</p>
        <p className="muted">{t(why[type])}</p>
        {access.needed ? null : (
          <p className="muted" data-testid="upload-optional">
            {t("optional")}
          </p>
        )}
        {note ? <ReviewerMessage text={note} label={tKyc("reviewerMessage")} /> : null}
      </section>
      <UploadScreen
        documentType={type}
        sides={sides}
        identityKind={identityKind}
        reasonMessages={documentReasonLabels((key) => t(key))}
        labels={labels}
        sideLabels={sideLabels}
        qualityMessages={qualityMessages}
        refusedMessages={refusedMessages}
        editable={editable}
        phoneHandoff={!onPhone}
        windowRef={windowRef}
      />
      {vendorStep}
      {back}
    </>
  );
}

export default withPageScope(UploadPage);
