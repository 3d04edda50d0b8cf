/**
 * Stand-ins for the vendors' web SDKs, served by `context.route` at the vendors' own CDN
 * addresses (the ones app/inapp/_components/vendor/vendor-step.tsx loads; a different address
 * would go to the real CDN, which this machine cannot reach, and the test would fail). Each does
 * what our screen relies on: it takes the token, mounts the vendor's frame inside the container
 * it is given, and calls back when the trader finishes inside that frame, as the real SDKs do by
 * postMessage from the vendor's origin. The frames come from the vendors' origins too, so the
 * screen's CSP (frame-src for a configured vendor) is exercised as it is in production.
 */
import type { BrowserContext } from "@playwright/test";

export const SUMSUB_SDK = "https://static.sumsub.com/idensic/static/sns-websdk-builder.js";
export const SUMSUB_FRAME_ORIGIN = "https://in.sumsub.com";
export const ONFIDO_SDK = "https://sdk.onfido.com/v14";
export const ONFIDO_FRAME_ORIGIN = "https://sdk.onfido.com";

/** Sumsub's builder: `snsWebSdk.init(token, refresh).withConf().on().build().launch(selector)`. */
const SUMSUB_BUILDER = `(() => {
  window.snsWebSdk = {
    init(token, refresh) {
      if (typeof refresh !== "function") throw new Error("Sumsub needs a token refresh handler");
      const handlers = {};
      let conf = {};
      const chain = {
        withConf(c) { conf = c; return chain; },
        withOptions() { return chain; },
        on(event, handler) { handlers[event] = handler; return chain; },
        build() {
          return {
            launch(selector) {
              const container = document.querySelector(selector);
              if (!container) throw new Error("Sumsub: no container " + selector);
              const frame = document.createElement("iframe");
              frame.src = ${JSON.stringify(SUMSUB_FRAME_ORIGIN)} + "/websdk/p/stand-in?lang=" +
                encodeURIComponent(conf.lang || "") + "&token=" + encodeURIComponent(token);
              frame.title = "Sumsub";
              frame.allow = "camera; microphone";
              container.appendChild(frame);
              window.addEventListener("message", (event) => {
                if (event.origin !== ${JSON.stringify(SUMSUB_FRAME_ORIGIN)}) return;
                const handler = handlers[event.data && event.data.method];
                if (handler) handler(event.data.payload || {});
              });
            },
          };
        },
      };
      return chain;
    },
  };
})();`;

/** Onfido's v14 entry: `Onfido.init({ token, containerId, onComplete })`. */
const ONFIDO_ENTRY = `(() => {
  window.Onfido = {
    init(options) {
      const container = document.getElementById(options.containerId);
      if (!container) throw new Error("Onfido: no container " + options.containerId);
      const frame = document.createElement("iframe");
      frame.src = ${JSON.stringify(ONFIDO_FRAME_ORIGIN)} + "/frame/stand-in?token=" +
        encodeURIComponent(options.token);
      frame.title = "Onfido";
      frame.allow = "camera; microphone";
      container.appendChild(frame);
      window.addEventListener("message", (event) => {
        if (event.origin !== ${JSON.stringify(ONFIDO_FRAME_ORIGIN)}) return;
        if (event.data && event.data.type === "complete") options.onComplete({});
      });
      return { tearDown() { frame.remove(); } };
    },
  };
})();`;

/** The vendor's capture frame: the token it was given, and the trader's last button. */
function captureFrame(vendor: string, message: string): string {
  return `<!doctype html><html><body>
    <h1>${vendor} stand-in</h1>
    <p data-testid="sdk-token"></p>
    <button type="button" data-testid="sdk-finish">Submit documents</button>
    <script>
      document.querySelector("[data-testid=sdk-token]").textContent =
        new URL(location.href).searchParams.get("token");
      document.querySelector("button").onclick = () => parent.postMessage(${message}, "*");
    </script>
  </body></html>`;
}

export async function routeVendorSdks(context: BrowserContext): Promise<void> {
  const script = (body: string) => ({ contentType: "text/javascript", body });
  const html = (body: string) => ({ contentType: "text/html", body });
  await context.route(SUMSUB_SDK, (route) => route.fulfill(script(SUMSUB_BUILDER)));
  await context.route(`${SUMSUB_FRAME_ORIGIN}/websdk/**`, (route) =>
    route.fulfill(
      html(captureFrame("Sumsub", `{ method: "idCheck.onApplicantSubmitted", payload: {} }`)),
    ),
  );
  await context.route(ONFIDO_SDK, (route) => route.fulfill(script(ONFIDO_ENTRY)));
  await context.route(`${ONFIDO_FRAME_ORIGIN}/frame/**`, (route) =>
    route.fulfill(html(captureFrame("Onfido", `{ type: "complete" }`))),
  );
}
