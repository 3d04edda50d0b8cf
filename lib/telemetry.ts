/**
 * Traces (OpenTelemetry). Spans around the work an operator wants to see the time of: token
 * redemption, the automated checks, document inspection, delivery attempts. Without an exporter
 * (OTEL_EXPORTER_OTLP_ENDPOINT unset) no SDK is loaded and every span is the API's no-op, so
 * tracing costs nothing until a broker turns it on. Attributes carry ids and outcomes only, never
 * what a trader typed or an error's message (which can quote it).
 */
import {
  SpanStatusCode,
  trace,
  type AttributeValue,
  type Attributes,
  type Span,
} from "@opentelemetry/api";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
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

// A query parameter's value: `?token=…&lang=de` keeps its names, loses its values.
const QUERY_VALUE = /([?&][^=&#\s"']*)=[^&#\s"']*/g;

/** A span's text with every URL query value replaced (`token=[redacted]`). */
export function withoutQueryValues(text: string): string {
  return text.replace(QUERY_VALUE, "$1=[redacted]");
}

function redactedValue(value: AttributeValue | undefined): AttributeValue | undefined {
  if (typeof value === "string") return withoutQueryValues(value);
  if (Array.isArray(value))
    return value.map((v) => (typeof v === "string" ? withoutQueryValues(v) : v)) as AttributeValue;
  return value;
}

function redactedAttributes(attributes: Attributes): Attributes {
  return Object.fromEntries(
    Object.entries(attributes).map(([key, value]) => [key, redactedValue(value)]),
  );
}

/**
 * Next.js exports spans of its own through the provider registered here: every request's
 * (`http.target` is its URL, query included) and every server fetch's (its span name and
 * `http.url`). Those URLs carry secrets: a launch's `token=`, a resume or handoff code, and the
 * cTrader manager token on the redemption's request. Every span leaves with the values of its
 * URL queries replaced, in its name, its attributes and its events' attributes.
 */
export function redactingExporter(inner: SpanExporter): SpanExporter {
  const redacted = (span: ReadableSpan): ReadableSpan => ({
    name: withoutQueryValues(span.name),
    kind: span.kind,
    spanContext: () => span.spanContext(),
    ...(span.parentSpanContext && { parentSpanContext: span.parentSpanContext }),
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status.message
      ? { ...span.status, message: withoutQueryValues(span.status.message) }
      : span.status,
    attributes: redactedAttributes(span.attributes),
    links: span.links,
    events: span.events.map((e) =>
      e.attributes ? { ...e, attributes: redactedAttributes(e.attributes) } : e,
    ),
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  });
  return {
    export: (spans, done) => inner.export(spans.map(redacted), done),
    shutdown: () => inner.shutdown(),
    ...(inner.forceFlush && { forceFlush: () => inner.forceFlush!() }),
  };
}

/**
 * Registers the OpenTelemetry SDK: spans batched to OTLP/HTTP, their URL queries redacted. The exporter reads the standard
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
    spanProcessors: [new BatchSpanProcessor(redactingExporter(new OTLPTraceExporter()))],
  });
  // Also installs the async context manager, so spans nest across awaits.
  provider.register();
  // Flushes what is batched and stops exporting (tests; a process that ends on purpose).
  return () => provider.shutdown();
}
