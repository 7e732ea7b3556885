import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { Resource } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  NoopSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface Telemetry {
  /** Where spans recorded elsewhere (Temporal workflow sandboxes) are handed to be exported. */
  readonly spanProcessor: SpanProcessor;
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  readonly serviceName: string;
  /** 'none' keeps context propagation (trace ids in logs, headers, events) but exports nothing. */
  readonly exporter: 'none' | 'console' | SpanExporter;
}

/**
 * Registers the process-wide tracer provider, AsyncLocalStorage context manager and W3C trace-context
 * propagator. Call once, from the composition root, before anything creates spans.
 */
export function initTelemetry(options: TelemetryOptions): Telemetry {
  const spanProcessor =
    options.exporter === 'none'
      ? new NoopSpanProcessor()
      : options.exporter === 'console'
        ? new BatchSpanProcessor(new ConsoleSpanExporter())
        : new SimpleSpanProcessor(options.exporter);
  const provider = new NodeTracerProvider({
    resource: new Resource({ 'service.name': options.serviceName }),
    spanProcessors: [spanProcessor],
  });
  provider.register();
  return { spanProcessor, shutdown: () => provider.shutdown() };
}

/** W3C trace context of the active span, for an outbox row, a Kafka header or an event envelope. */
export function currentTraceContext(): { traceparent: string; tracestate?: string } | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  if (!carrier.traceparent) return undefined;
  return carrier.tracestate ? { traceparent: carrier.traceparent, tracestate: carrier.tracestate } : { traceparent: carrier.traceparent };
}

/** The context a remote producer left in `carrier` (HTTP or Kafka headers, an envelope's traceContext). */
export function contextFrom(carrier: Record<string, string | undefined>): Context {
  return propagation.extract(ROOT_CONTEXT, carrier);
}

export function activeTraceId(): string | undefined {
  return trace.getSpan(context.active())?.spanContext().traceId;
}

/** Runs `fn` inside a new span (child of `parent`, else of the active context), recording failures. */
export async function withSpan<T>(
  tracer: Tracer,
  name: string,
  options: { kind?: SpanKind; parent?: Context; attributes?: Record<string, string | number> },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer.startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes ?? {} }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

export { SpanKind, trace, context };
