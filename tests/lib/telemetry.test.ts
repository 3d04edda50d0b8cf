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
