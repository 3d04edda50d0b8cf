/**
 * Fetching a list from a URL: guarded like a webhook (no private addresses, https only unless
 * the broker allows a private host), bounded in bytes and time, conditional, redirects followed a
 * few hops. msw answers for the list host (a system we do not run).
 */
import { http, HttpResponse, delay } from "msw";
import { setupServer } from "msw/node";
import { fetchList } from "@/lib/screening/fetch";

const server = setupServer();
const seen: string[] = [];
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  seen.length = 0;
});
afterAll(() => server.close());

const LIST = "https://lists.example.org/sdn.csv";

describe("fetchList", () => {
  it("sends the stored validators and reads a 304 as unchanged", async () => {
    server.use(
      http.get(LIST, ({ request }) => {
        seen.push(
          `${request.headers.get("if-none-match")}|${request.headers.get("if-modified-since")}`,
        );
        return new HttpResponse(null, { status: 304 });
      }),
    );
    await expect(
      fetchList(LIST, { etag: '"abc"', lastModified: "Tue, 01 Dec 2026 00:00:00 GMT" }),
    ).resolves.toEqual({ status: "not_modified" });
    expect(seen).toEqual(['"abc"|Tue, 01 Dec 2026 00:00:00 GMT']);
  });

  it("returns the bytes with the new validators", async () => {
    server.use(
      http.get(LIST, () =>
        HttpResponse.text("name\nA B\n", { headers: { etag: '"v2"', "last-modified": "x" } }),
      ),
    );
    const got = await fetchList(LIST);
    expect(got).toMatchObject({ status: "fetched", etag: '"v2"', lastModified: "x" });
    expect(got.status === "fetched" && got.bytes.toString()).toBe("name\nA B\n");
  });

  it("refuses a list larger than the limit instead of storing part of it", async () => {
    server.use(http.get(LIST, () => HttpResponse.text("x".repeat(5000))));
    await expect(fetchList(LIST, { maxBytes: 1000 })).rejects.toThrow(/1000 bytes allowed/);
    // Without a declared length, the count of bytes received stops it.
    server.use(
      http.get(
        LIST,
        () =>
          new HttpResponse(
            new ReadableStream({
              start(controller) {
                for (let i = 0; i < 10; i++) controller.enqueue(new Uint8Array(500));
                controller.close();
              },
            }),
          ),
      ),
    );
    await expect(fetchList(LIST, { maxBytes: 1000 })).rejects.toThrow(
      "the list is more than the 1000 bytes allowed",
    );
  });

  it("gives up on a host that does not answer in time", async () => {
    server.use(
      http.get(LIST, async () => {
        await delay(700);
        return HttpResponse.text("late");
      }),
    );
    await expect(fetchList(LIST, { timeoutMs: 200 })).rejects.toThrow(/within the timeout/);
  });

  it("refuses private and loopback targets and plain http unless the broker allows private hosts", async () => {
    server.use(
      http.get("http://10.0.0.5/sdn.csv", () => {
        seen.push("reached");
        return HttpResponse.text("name\nA\n");
      }),
    );
    await expect(fetchList("https://127.0.0.1/sdn.csv")).rejects.toThrow(/not public/);
    await expect(fetchList("https://localhost/sdn.csv")).rejects.toThrow(/loopback/);
    await expect(fetchList("http://10.0.0.5/sdn.csv")).rejects.toThrow(/https only/);
    expect(seen).toEqual([]);
    await expect(
      fetchList("http://10.0.0.5/sdn.csv", { allowPrivate: true }),
    ).resolves.toMatchObject({ status: "fetched" });
  });

  it("follows a redirect, guarding the next hop too, and reports an error status", async () => {
    server.use(
      http.get(LIST, () => HttpResponse.redirect("https://cdn.example.org/sdn.csv", 302)),
      http.get("https://cdn.example.org/sdn.csv", () => HttpResponse.text("name\nA\n")),
      http.get("https://lists.example.org/inside.csv", () =>
        HttpResponse.redirect("https://169.254.169.254/latest/meta-data", 302),
      ),
      http.get("https://lists.example.org/gone.csv", () => new HttpResponse(null, { status: 404 })),
    );
    await expect(fetchList(LIST)).resolves.toMatchObject({ status: "fetched" });
    await expect(fetchList("https://lists.example.org/inside.csv")).rejects.toThrow(/not public/);
    await expect(fetchList("https://lists.example.org/gone.csv")).rejects.toThrow("HTTP 404");
  });
});
