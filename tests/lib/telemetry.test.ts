import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { SpanStatusCode, trace } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { AppError } from "@/lib/errors";
import { env } from "@/lib/env";
import { startTelemetry, traced } from "@/lib/telemetry";
import { setTestEnv } from "../helpers/env";

afterAll(() => {
  trace.disable();
  setTestEnv();
});

describe("telemetry", () => {
  it("is off without an OTLP endpoint: no SDK, spans record nothing", async () => {
    setTestEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: undefined });
    expect(env().telemetry).toBeNull();
    await traced("kyc.test", {}, async (span) => expect(span.isRecording()).toBe(false));
  });

  it("records spans once an endpoint is configured and the SDK started", async () => {
    // A closed loopback port: nothing is exported in this test, the spans only have to record.
    setTestEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9" });
    const config = env().telemetry;
    expect(config).toEqual({ serviceName: "inapp-kyc" });
    const stop = await startTelemetry(config!);
    await traced("kyc.test", { "kyc.case_id": "c1" }, async (span) =>
      expect(span.isRecording()).toBe(true),
    );
    // Nothing listens on port 9: the export fails, and shutdown ends the batch processor's timer.
    await stop().catch(() => undefined);
  });

  it("exports Next's request and fetch spans with their URL queries' values redacted", async () => {
    trace.disable();
    // An OTLP/HTTP collector on loopback: what leaves the process is what it receives.
    const bodies: string[] = [];
    const collector = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (c: Buffer) => chunks.push(c));
      request.on("end", () => {
        bodies.push(Buffer.concat(chunks).toString("utf8"));
        response.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
    const { port } = collector.address() as AddressInfo;
    try {
      setTestEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` });
      const stop = await startTelemetry(env().telemetry!);
      // The spans Next.js makes (base-server's request span, patch-fetch's fetch span), through
      // the global tracer the SDK registered.
      const next = trace.getTracer("next.js", "16");
      next
        .startSpan("GET /inapp/kyc?token=launch-secret-1&lang=de", {
          attributes: { "http.target": "/inapp/kyc?token=launch-secret-1&lang=de&resume=code-2" },
        })
        .end();
      next
        .startSpan("fetch POST https://ctrader.example/ctid2/inAppToken/redeem?token=manager-3", {
          attributes: {
            "http.url": "https://ctrader.example/ctid2/inAppToken/redeem?token=manager-3",
            "next.span_type": "AppRender.fetch",
          },
        })
        .end();
      // A request that failed: Next.js records the error on its span, message and stack.
      const failed = next.startSpan("POST /api/inapp/resume", {
        attributes: { "url.query": "resume=code-4&lang=de" },
      });
      const error = Object.assign(
        new Error("Failed query: select * from sessions where resume_hash = $1\nparams: hash-5"),
        { name: "DrizzleQueryError" },
      );
      failed.recordException(error);
      failed.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      failed.end();
      await stop();
      const exported = bodies.join("\n");
      expect(exported).toContain("/inapp/kyc?token=[redacted]&lang=[redacted]&resume=[redacted]");
      expect(exported).toContain("/ctid2/inAppToken/redeem?token=[redacted]");
      expect(exported).toContain("resume=[redacted]&lang=[redacted]");
      // The error leaves as its type: no statement, no parameter.
      expect(exported).toContain("DrizzleQueryError");
      for (const secret of ["launch-secret-1", "code-2", "manager-3", "code-4", "hash-5", "select"])
        expect(exported).not.toContain(secret);
    } finally {
      collector.close();
    }
  });

  it("marks a failed span with the error's code, not its message", async () => {
    trace.disable();
    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    await expect(
      traced("kyc.test", {}, async () => {
        throw new AppError("CONFLICT", "Lea Brandt's case moved");
      }),
    ).rejects.toThrow("moved");
    const [span] = exporter.getFinishedSpans();
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: "CONFLICT" });
  });
});
