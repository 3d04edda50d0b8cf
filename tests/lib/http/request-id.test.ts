import { captureLogs } from "../../helpers/log-capture";
import {
  inRequestScope,
  REQUEST_ID_HEADER,
  requestIdOf,
  withRequestIdHeader,
} from "@/lib/http/request-id";
import { log } from "@/lib/log";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const withId = (id?: string) => new Headers(id === undefined ? {} : { [REQUEST_ID_HEADER]: id });

describe("request ids", () => {
  it("takes the caller's id when it is printable ASCII of at most 128 characters", () => {
    for (const id of [
      "abc",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "x".repeat(128),
      "a b",
    ])
      expect(requestIdOf(withId(id))).toBe(id);
  });

  it("makes a fresh one when none is given, or the given one is too long or not printable ASCII", () => {
    for (const id of [undefined, "", "x".repeat(129), "caf\u00e9", "\u00ff\u00fe"]) {
      const made = requestIdOf(withId(id));
      expect(made).toMatch(UUID);
    }
    expect(requestIdOf(withId())).not.toBe(requestIdOf(withId()));
  });

  it("sets the header on a redirect, whose headers are immutable, by copying the response", async () => {
    const redirect = Response.redirect("https://broker.test/inapp/kyc", 303);
    const answered = withRequestIdHeader(redirect, "r-1");
    expect(answered.status).toBe(303);
    expect(answered.headers.get("location")).toBe("https://broker.test/inapp/kyc");
    expect(answered.headers.get(REQUEST_ID_HEADER)).toBe("r-1");
  });

  it("runs a handler in its request's scope: the response and every line carry the same id", async () => {
    const capture = captureLogs();
    let response: Response;
    try {
      response = await inRequestScope(
        new Request("https://broker.test/api/x", { headers: withId("trace-7") }),
        async () => {
          log.info("handler.ran");
          return Response.json({ ok: true });
        },
      );
    } finally {
      capture.stop();
    }
    expect(response.headers.get(REQUEST_ID_HEADER)).toBe("trace-7");
    expect(capture.lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ event: "handler.ran", requestId: "trace-7" }),
    ]);
  });
});
