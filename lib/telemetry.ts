/**
 * Traces (OpenTelemetry). Spans around the work an operator wants to see the time of: token
 * redemption, the automated checks, document inspection, delivery attempts. Without an exporter
 * (OTEL_EXPORTER_OTLP_ENDPOINT unset) no SDK is loaded and every span is the API's no-op, so
 * tracing costs nothing until a broker turns it on. Attributes carry ids and outcomes only, never
 * what a trader typed or an error's message (which can quote it).
 */
import { SpanStatusCode, trace, type Attributes, type Span } from "@opentelemetry/api";
import { AppError } from "@/lib/errors";

const TRACER = "inapp-kyc";

export async function traced<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return trace.getTracer(TRACER).startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message:
          error instanceof AppError ? error.code : error instanceof Error ? error.name : "error",
      });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Registers the OpenTelemetry SDK: spans batched to OTLP/HTTP. The exporter reads the standard
 * OTEL_EXPORTER_OTLP_* variables (endpoint, headers) itself. Loaded only when configured.
 */
export async function startTelemetry(config: {
  serviceName: string;
}): Promise<() => Promise<void>> {
  const [
    { NodeTracerProvider },
    { BatchSpanProcessor },
    { OTLPTraceExporter },
    { resourceFromAttributes },
  ] = await Promise.all([
    import("@opentelemetry/sdk-trace-node"),
    import("@opentelemetry/sdk-trace-base"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/resources"),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": config.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  // Also installs the async context manager, so spans nest across awaits.
  provider.register();
  // Flushes what is batched and stops exporting (tests; a process that ends on purpose).
  return () => provider.shutdown();
}
