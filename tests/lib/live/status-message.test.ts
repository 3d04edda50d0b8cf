import { readStatusMessage, readStatusPoll, type StatusMessage } from "@/lib/live/status-message";

const message: StatusMessage = { status: "approved", version: "k3Jd9Qx0aZ" };

describe("the status screen's live message", () => {
  it("reads back what the server writes, through JSON as on the wire", () => {
    const wire = (m: unknown) => JSON.parse(JSON.stringify(m)) as unknown;
    expect(readStatusMessage(wire(message))).toEqual(message);
  });

  it("reads nothing from anything else, so the screen keeps what it shows", () => {
    for (const value of [
      null,
      "approved",
      {},
      { status: 1 },
      { status: "paid", version: "x" },
      { state: "draft" },
      // A status without its version cannot tell the screen whether anything else changed.
      { status: "draft" },
      { status: "draft", version: "" },
    ])
      expect(readStatusMessage(value)).toBeUndefined();
  });

  it("reads a failed poll as nothing to change, and only a 401 as the session's end", async () => {
    expect(await readStatusPoll(null)).toBeUndefined();
    expect(await readStatusPoll(new Response("bad gateway", { status: 502 }))).toBeUndefined();
    expect(await readStatusPoll(new Response("<html>", { status: 200 }))).toBeUndefined();
    expect(await readStatusPoll(Response.json(message))).toEqual(message);
    expect(
      await readStatusPoll(Response.json({ reason: "session_expired" }, { status: 401 })),
    ).toBe("ended");
  });
});
