"use client";

import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import type { VendorStepLabels } from "@/lib/inapp/refusal-words";
import { windowHeaders } from "@/lib/inapp/window-ref";
import { captureRefusal, vendorSessionSchema, type VendorSession } from "@/lib/vendors/verdict";

type Refusal = ReturnType<typeof captureRefusal>;
/** A refusal of the session (ended, or an earlier sign-in's window): trying again cannot help. */
type SessionRefused = Exclude<Refusal, "erased" | "failed">;

export type VendorStepProps = {
  vendor: "sumsub" | "onfido";
  locale: string;
  /** lib/inapp/refusal-words.ts: the capture's words and the session's. */
  labels: VendorStepLabels;
  /** The sign-in this page was rendered for (lib/inapp/window.ts): every request carries it. */
  windowRef: string;
};

/** The vendors' web SDKs, from their own CDNs (what their documentation prescribes). */
const SDK_SCRIPTS = {
  sumsub: "https://static.sumsub.com/idensic/static/sns-websdk-builder.js",
  onfido: "https://sdk.onfido.com/v14",
} as const;

type SumsubChain = {
  withConf(conf: { lang: string }): SumsubChain;
  on(event: string, handler: (...args: unknown[]) => void): SumsubChain;
  build(): { launch(selector: string): void };
};
type SumsubBuilder = { init(token: string, refresh: () => Promise<string>): SumsubChain };
type OnfidoGlobal = {
  init(options: { token: string; containerId: string; onComplete: () => void }): unknown;
};

function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (document.querySelector(`script[src="${src}"]`)) return resolve();
    const script = document.createElement("script");
    script.src = src;
    script.async = true;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error("sdk"));
    document.head.appendChild(script);
  });
}

async function post(path: string, windowRef: string): Promise<Response> {
  return fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...windowHeaders(windowRef) },
    body: "{}",
  });
}

/** Why the server refused the call: the case was erased, the session's refusal, or anything else. */
async function refusalOf(response: Response | null): Promise<Refusal> {
  if (!response) return "failed";
  return captureRefusal(response.status, await response.json().catch(() => undefined));
}

/**
 * A session from our server, read with the schema the server answers with, or why there is none:
 * a refusal with words of its own (captureRefusal), `failed` on any other failure.
 */
async function requestSession(windowRef: string): Promise<VendorSession | Refusal> {
  const response = await post("/api/inapp/vendor", windowRef).catch(() => null);
  if (!response?.ok) return refusalOf(response);
  const parsed = vendorSessionSchema.safeParse(await response.json().catch(() => undefined));
  return parsed.success ? parsed.data : "failed";
}

/**
 * The vendor's capture inside our screen: the SDK mounts in a container here, never a pop-up or
 * a navigation away, so cTrader's embedded browser keeps our close control. When the SDK says
 * the trader is done, the server is told; if that fails the capture stays at the vendor and
 * the trader only has to tell us again, so the SDK stays mounted and a retry is offered.
 */
export function VendorStep({ vendor, locale, labels, windowRef }: VendorStepProps) {
  const router = useRouter();
  const [state, setState] = useState<
    | "idle"
    | "loading"
    | "running"
    | "failed"
    | "finishing"
    | "doneFailed"
    | "erased"
    | SessionRefused
  >("idle");
  const finishing = useRef(false);

  async function done() {
    if (finishing.current) return;
    finishing.current = true;
    setState("finishing");
    const response = await post("/api/inapp/vendor/done", windowRef).catch(() => null);
    finishing.current = false;
    if (!response?.ok) {
      const refusal = await refusalOf(response);
      setState(refusal === "failed" ? "doneFailed" : refusal);
      return;
    }
    router.refresh();
  }

  async function start() {
    setState("loading");
    try {
      const session = await requestSession(windowRef);
      if (typeof session === "string") {
        setState(session);
        return;
      }
      if (vendor === "sumsub") {
        await loadScript(SDK_SCRIPTS.sumsub);
        const sdk = (window as unknown as { snsWebSdk: SumsubBuilder }).snsWebSdk;
        // Sumsub asks again when its token runs out; an empty token makes it show its own error.
        const refresh = async () => {
          const renewed = await requestSession(windowRef);
          return typeof renewed === "string" ? "" : renewed.token;
        };
        sdk
          .init(session.token, refresh)
          .withConf({ lang: locale })
          .on("idCheck.onApplicantSubmitted", () => void done())
          .build()
          .launch("#vendor-sdk");
      } else {
        await loadScript(SDK_SCRIPTS.onfido);
        const onfido = (window as unknown as { Onfido: OnfidoGlobal }).Onfido;
        onfido.init({
          token: session.token,
          containerId: "vendor-sdk",
          onComplete: () => void done(),
        });
      }
      setState("running");
    } catch {
      setState("failed");
    }
  }

  return (
    <div data-testid="vendor-step-client">
      {state === "idle" ? (
        <button className="button" type="button" onClick={() => void start()}>
          {labels.start}
        </button>
      ) : null}
      {state === "loading" || state === "finishing" ? (
        <p className="muted">{labels.loading}</p>
      ) : null}
      {state === "erased" ? (
        <p className="alert" role="alert" data-testid="vendor-case-erased">
          {labels.erased}
        </p>
      ) : null}
      {state === "sessionExpired" || state === "otherSignIn" ? (
        <p className="alert" role="alert" data-testid="vendor-session-refused">
          {labels[state]}
        </p>
      ) : null}
      {state === "failed" || state === "doneFailed" ? (
        <>
          <p className="alert" role="alert">
            {state === "failed" ? labels.failed : labels.doneFailed}
          </p>
          <button
            className="button"
            type="button"
            onClick={() => void (state === "failed" ? start() : done())}
          >
            {labels.retry}
          </button>
        </>
      ) : null}
      <div id="vendor-sdk" />
    </div>
  );
}
