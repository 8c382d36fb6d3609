import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type Attributes,
  type Context,
  type ContextManager,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * The active trace context in an AsyncLocalStorage, like the SDK's own context manager, plus `enter`: an HTTP
 * hook sets the request's span for the rest of the request. Created only by `Tracing.start` (OpenTelemetry on): an
 * AsyncLocalStorage, once used, makes every promise of the process pay for async hooks.
 */
class StrataContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();

  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.storage.run(ctx, () => fn.apply(thisArg, args));
  }
  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const fn = target as (...args: unknown[]) => unknown;
    return ((...args: unknown[]) => this.with(ctx, () => fn(...args))) as T;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.storage.disable();
    return this;
  }
  enter(ctx: Context): void {
    this.storage.enterWith(ctx);
  }
}

export interface TracingOptions {
  /** OTLP/HTTP base URL; spans go to `<endpoint>/v1/traces`. Unset: no tracing. */
  readonly endpoint?: string | undefined;
  readonly disabled: boolean;
}

/** A call out of this process being traced (see `Tracing.client`): ended once, by `end` or `fail`. */
export interface TracedCall {
  /** False when tracing is off (then every method does nothing). */
  readonly recording: boolean;
  /** The answer's HTTP status (a 5xx marks the span as an error). */
  status(code: number): void;
  end(): void;
  fail(error: unknown): void;
}

const UNTRACED: TracedCall = { recording: false, status: () => undefined, end: () => undefined, fail: () => undefined };

let provider: NodeTracerProvider | undefined;
let contexts: StrataContextManager | undefined;
const SPAN_ON_REQUEST = Symbol('strata.span');

function headerValue(raw: unknown): string | undefined {
  const first: unknown = Array.isArray(raw) ? raw[0] : raw;
  if (typeof first === 'string') return first;
  return Buffer.isBuffer(first) ? first.toString() : undefined;
}

/** Reads `traceparent`/`tracestate` from HTTP or Kafka headers (strings, buffers or arrays of them). */
const headerGetter = {
  keys: (carrier: Record<string, unknown>) => Object.keys(carrier),
  get: (carrier: Record<string, unknown>, key: string) => headerValue(carrier[key]),
};

/**
 * OpenTelemetry traces: one trace per request, from the gateway through every service it calls (the context
 * travels in W3C `traceparent` headers on Kafka messages, beside the correlation id). Off unless
 * `Tracing.start` got an endpoint: then nothing here is more than a boolean check, on the hit path too.
 */
export const Tracing = {
  enabled(): boolean {
    return provider !== undefined;
  },

  /** Starts exporting spans of this process (once; the embedded default's four services share it). */
  start(options: TracingOptions, serviceName: string): void {
    if (provider || options.disabled || options.endpoint === undefined) return;
    const exporter = new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces` });
    provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': serviceName }),
      spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1_000 })],
    });
    contexts = new StrataContextManager();
    provider.register({ contextManager: contexts, propagator: new W3CTraceContextPropagator() });
  },

  /** Sends the spans not yet sent and stops; a later `start` may begin again. */
  async shutdown(): Promise<void> {
    const stopping = provider;
    provider = undefined;
    contexts = undefined;
    if (!stopping) return;
    await stopping.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  },

  /**
   * Runs `fn` in a child span of the current one, or as is when tracing is off: `fn`'s own promise, not one more
   * wrapped around it (so `fn` throwing before it returns one throws here; callers await it in an async function).
   */
  span<T>(name: string, attributes: Attributes, fn: () => Promise<T>, kind = SpanKind.INTERNAL): Promise<T> {
    if (!provider) return fn();
    return trace.getTracer('strata').startActiveSpan(name, { kind, attributes }, async (span) => {
      try {
        return await fn();
      } catch (error) {
        fail(span, error);
        throw error;
      } finally {
        span.end();
      }
    });
  },

  /**
   * A client span (a child of the current one) for a call whose end is known later than the function that makes it
   * (a response read after it is returned). Attributes are the caller's: no bodies, prompts or keys.
   */
  client(name: string, attributes: Attributes): TracedCall {
    if (!provider) return UNTRACED;
    const span = trace.getTracer('strata').startSpan(name, { kind: SpanKind.CLIENT, attributes });
    let open = true;
    return {
      recording: true,
      status(code) {
        span.setAttribute('http.response.status_code', code);
        if (code >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      },
      end() {
        if (open) span.end();
        open = false;
      },
      fail(error) {
        if (!open) return;
        fail(span, error);
        span.end();
        open = false;
      },
    };
  },

  /** Adds the current trace context (`traceparent`, `tracestate`) to outgoing message headers. */
  inject(headers: Record<string, unknown>): void {
    if (!provider) return;
    propagation.inject(context.active(), headers);
  },

  /** Handles a consumed message in a span whose parent is the sender's (from its headers). */
  consume<T>(name: string, headers: Record<string, unknown> | undefined, fn: () => Promise<T>): Promise<T> {
    if (!provider) return fn();
    const parent = propagation.extract(ROOT_CONTEXT, headers ?? {}, headerGetter);
    return context.with(parent, () => Tracing.span(name, {}, fn, SpanKind.CONSUMER));
  },

  /**
   * One server span per HTTP request (a child of the caller's `traceparent`, if any), active for everything
   * the request does. Installs nothing when tracing is off.
   */
  traceHttp(fastify: FastifyInstance): void {
    if (!provider) return;
    fastify.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
      const parent = propagation.extract(ROOT_CONTEXT, request.headers, headerGetter);
      const span = trace.getTracer('strata').startSpan(
        `${request.method} ${request.routeOptions.url ?? 'unmatched'}`,
        {
          kind: SpanKind.SERVER,
          attributes: { 'http.request.method': request.method, 'http.route': request.routeOptions.url ?? '' },
        },
        parent,
      );
      (request as unknown as Record<symbol, Span>)[SPAN_ON_REQUEST] = span;
      contexts?.enter(trace.setSpan(parent, span));
      done();
    });
    fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      const span = (request as unknown as Record<symbol, Span | undefined>)[SPAN_ON_REQUEST];
      if (span) {
        span.setAttribute('http.response.status_code', reply.statusCode);
        if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
      done();
    });
  },
};

function fail(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}
