import { onRequestError } from "@/instrumentation";
import { captureLogs } from "./helpers/log-capture";

describe("instrumentation: Next's own request errors", () => {
  it("logs one line with the request id, the path without its query and the error's class, never its message", async () => {
    const previous = process.env.NEXT_RUNTIME;
    process.env.NEXT_RUNTIME = "nodejs";
    const capture = captureLogs();
    try {
      const error = Object.assign(new TypeError("value of Maria Muster's passport P1234567"), {
        digest: "2913377021",
      });
      await onRequestError(
        error,
        {
          path: "/inapp/kyc/status?token=ot-secret-123",
          method: "GET",
          headers: { "x-request-id": "lb-77", cookie: "__Host-kyc_session=SESSION-SECRET-9" },
        },
        {
          routerKind: "App Router",
          routePath: "/inapp/kyc/status",
          routeType: "render",
          renderSource: "react-server-components",
          revalidateReason: undefined,
        },
      );
    } finally {
      capture.stop();
      if (previous === undefined) delete process.env.NEXT_RUNTIME;
      else process.env.NEXT_RUNTIME = previous;
    }
    expect(capture.lines).toHaveLength(1);
    const line = JSON.parse(capture.lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: "error",
      event: "request.failed",
      requestId: "lb-77",
      method: "GET",
      path: "/inapp/kyc/status",
      route: "/inapp/kyc/status",
      errorName: "TypeError",
      digest: "2913377021",
    });
    for (const secret of ["Maria", "P1234567", "ot-secret-123", "SESSION-SECRET-9"])
      expect(capture.lines[0]).not.toContain(secret);
  });
});
