"use client";

import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import type { VendorSession } from "@/lib/vendors/verdict";

export type VendorStepProps = {
  vendor: "sumsub" | "onfido";
  locale: string;
  labels: { start: string; loading: string; failed: string };
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

async function post(path: string): Promise<Response> {
  return fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
}

/**
 * The vendor's capture inside our screen: the SDK mounts in a container here, never a pop-up or
 * a navigation away, so cTrader's embedded browser keeps our close control. When the SDK says
 * the trader is done, the server is told.
 */
export function VendorStep({ vendor, locale, labels }: VendorStepProps) {
  const router = useRouter();
  const [state, setState] = useState<"idle" | "loading" | "running" | "failed">("idle");
  const finished = useRef(false);

  async function done() {
    if (finished.current) return;
    finished.current = true;
    await post("/api/inapp/vendor/done").catch(() => undefined);
    router.refresh();
  }

  async function start() {
    setState("loading");
    try {
      const response = await post("/api/inapp/vendor");
      if (!response.ok) throw new Error(String(response.status));
      const session = (await response.json()) as VendorSession;
      if (vendor === "sumsub") {
        await loadScript(SDK_SCRIPTS.sumsub);
        const sdk = (window as unknown as { snsWebSdk: SumsubBuilder }).snsWebSdk;
        const refresh = async () =>
          ((await (await post("/api/inapp/vendor")).json()) as { token: string }).token;
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
      {state === "idle" || state === "failed" ? (
        <button className="button" type="button" onClick={() => void start()}>
          {labels.start}
        </button>
      ) : null}
      {state === "loading" ? <p className="muted">{labels.loading}</p> : null}
      {state === "failed" ? (
        <p className="alert" role="alert">
          {labels.failed}
        </p>
      ) : null}
      <div id="vendor-sdk" />
    </div>
  );
}
