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
import type { ReadableSpan, SpanExporter, TimedEvent } from "@opentelemetry/sdk-trace-base";
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
const QUERY_VALUE = /([?&][^=&#\s]*)=[^&#\s]*/g;

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
    Object.entries(attributes).map(([key, value]) => [
      key,
      // A query on its own, without its `?` (OpenTelemetry's `url.query`).
      key === "url.query" && typeof value === "string"
        ? withoutQueryValues(`?${value}`).slice(1)
        : redactedValue(value),
    ]),
  );
}

/**
 * A recorded exception keeps only its type: its message and stack quote what failed, a query's
 * SQL and parameters among them (Next.js records every error of a request on its span).
 */
function redactedEvent(event: TimedEvent): TimedEvent {
  if (event.name !== "exception" || !event.attributes)
    return event.attributes
      ? { ...event, attributes: redactedAttributes(event.attributes) }
      : event;
  const type = event.attributes["exception.type"];
  return { ...event, attributes: type === undefined ? {} : { "exception.type": type } };
}

// A status message that is a code or an error's name, as `traced` sets; anything else (an
// error's message, as Next.js sets it) leaves the process as nothing.
const STATUS_CODE = /^[A-Za-z0-9_.-]{1,60}$/;

/**
 * Next.js exports spans of its own through the provider registered here: every request's
 * (`http.target` is its URL, query included) and every server fetch's (its span name and
 * `http.url`). Those URLs carry secrets: a launch's `token=`, a resume or handoff code, and the
 * cTrader manager token on the redemption's request. Every span leaves with the values of its
 * URL queries replaced (in its name and the attributes of the span, its events and its links),
 * and an error recorded on it leaves as its type only.
 */
export function redactingExporter(inner: SpanExporter): SpanExporter {
  const redacted = (span: ReadableSpan): ReadableSpan => ({
    name: withoutQueryValues(span.name),
    kind: span.kind,
    spanContext: () => span.spanContext(),
    ...(span.parentSpanContext && { parentSpanContext: span.parentSpanContext }),
    startTime: span.startTime,
    endTime: span.endTime,
    status:
      span.status.message === undefined || STATUS_CODE.test(span.status.message)
        ? span.status
        : { code: span.status.code },
    attributes: redactedAttributes(span.attributes),
    links: span.links.map((l) =>
      l.attributes ? { ...l, attributes: redactedAttributes(l.attributes) } : l,
    ),
    events: span.events.map(redactedEvent),
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
