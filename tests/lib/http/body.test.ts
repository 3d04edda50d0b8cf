import { z } from "zod";
import { limitedBody, readBody } from "@/lib/http/body";
import { MAX_JSON_BYTES, readJson } from "@/lib/http/json";

const KB = 1024;

/** A body sent in 1 KB chunks, pulled only when the reader asks, counting what it gave away. */
function trickle(total: number) {
  let sent = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (sent >= total) return controller.close();
        const chunk = new Uint8Array(Math.min(KB, total - sent)).fill(0x20);
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  return { body, sent: () => sent };
}

function request(body: ReadableStream<Uint8Array> | string | null, contentLength?: number) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (contentLength !== undefined) headers["content-length"] = String(contentLength);
  return new Request("http://kyc.test/api", {
    method: "POST",
    headers,
    body,
    duplex: "half",
  } as RequestInit);
}

describe("the bounded body reader", () => {
  it("refuses a body whose Content-Length is over the limit without reading any of it", async () => {
    const source = trickle(64 * KB);
    await expect(readBody(request(source.body, 64 * KB), 16 * KB)).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
    });
    expect(() => limitedBody(request(trickle(64 * KB).body, 64 * KB), 16 * KB)).toThrow(
      expect.objectContaining({ code: "PAYLOAD_TOO_LARGE" }),
    );
    expect(source.sent()).toBe(0);
  });

  it("stops reading a body that grows past the limit, whatever its Content-Length claimed", async () => {
    for (const claimed of [undefined, 100]) {
      const source = trickle(10 * 1024 * KB);
      await expect(readBody(request(source.body, claimed), 16 * KB)).rejects.toMatchObject({
        code: "PAYLOAD_TOO_LARGE",
      });
      expect(source.sent()).toBeLessThanOrEqual(20 * KB);
    }
  });

  it("reads a body of exactly the limit, and an absent body as empty", async () => {
    const exact = await readBody(request(trickle(16 * KB).body), 16 * KB);
    expect(exact.length).toBe(16 * KB);
    expect((await readBody(request(null), 16 * KB)).length).toBe(0);
  });

  it("reads other servers' answers the same way (a Response)", async () => {
    const response = new Response(trickle(32 * KB).body);
    await expect(readBody(response, 16 * KB)).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
    });
    expect((await readBody(new Response("{}"), 16 * KB)).toString()).toBe("{}");
  });
});

describe("readJson", () => {
  const schema = z.object({ a: z.string() });

  it("parses a JSON body within the limit", async () => {
    expect(await readJson(request('{"a":"b"}'), schema)).toEqual({ a: "b" });
  });

  it("refuses a JSON body over 16 KB (413), also one sent without a Content-Length", async () => {
    const big = JSON.stringify({ a: "x".repeat(MAX_JSON_BYTES) });
    await expect(readJson(request(big), schema)).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
    });
    const source = trickle(1024 * KB);
    await expect(readJson(request(source.body), schema)).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
    });
    expect(source.sent()).toBeLessThanOrEqual(MAX_JSON_BYTES + 4 * KB);
  });
});
