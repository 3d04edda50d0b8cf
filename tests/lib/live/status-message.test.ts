import { readStatusMessage, readStatusPoll, statusMessage } from "@/lib/live/status-message";

describe("the status screen's live message", () => {
  it("reads back what the server writes, through JSON as on the wire", () => {
    const wire = (m: unknown) => JSON.parse(JSON.stringify(m)) as unknown;
    expect(readStatusMessage(wire(statusMessage("in_review")))).toBe("in_review");
    expect(readStatusMessage(wire(statusMessage("approved", new Date(0))))).toBe("approved");
  });

  it("names no status for anything else, so the screen keeps what it shows", () => {
    for (const value of [
      null,
      "approved",
      {},
      { status: 1 },
      { status: "paid" },
      { state: "draft" },
    ])
      expect(readStatusMessage(value)).toBeUndefined();
  });

  it("reads a failed poll as nothing to change, and only a 401 as the session's end", async () => {
    expect(await readStatusPoll(null)).toBeUndefined();
    expect(await readStatusPoll(new Response("bad gateway", { status: 502 }))).toBeUndefined();
    expect(await readStatusPoll(new Response("<html>", { status: 200 }))).toBeUndefined();
    expect(await readStatusPoll(Response.json(statusMessage("approved")))).toBe("approved");
    expect(
      await readStatusPoll(Response.json({ reason: "session_expired" }, { status: 401 })),
    ).toBe("ended");
  });
});
