import { type Server, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { createClient } from 'redis';
import { FakeUpstream } from '@strata/testing';
import { QdrantTestDouble, type RunningQdrantTestDouble } from '../tools/qdrant-test-double/src';
import { eventually } from './support/eventually';
import { type StrataProcess, distributedEnv, http, startStrataProcess } from './support/strata-process';

interface ExportedSpan {
  /** The process that sent it (its resource's service.name), added by the receiver. */
  service?: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind?: number;
  readonly attributes?: { key: string; value: { stringValue?: string; intValue?: number | string } }[];
}
interface ExportRequest {
  resourceSpans: {
    resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: ExportedSpan[] }[];
  }[];
}

/** An OTLP/HTTP receiver stand-in: keeps every span POSTed (JSON) to /v1/traces. */
async function startReceiver(): Promise<{ url: string; spans: ExportedSpan[]; close(): Promise<void> }> {
  const spans: ExportedSpan[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        const exported = JSON.parse(body) as ExportRequest;
        for (const resource of exported.resourceSpans) {
          const service = resource.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue;
          for (const scope of resource.scopeSpans) spans.push(...scope.spans.map((span) => ({ ...span, service })));
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const ask = (content: string) => ({
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You are the support assistant of a shoe shop.' },
    { role: 'user', content },
  ],
  params: { temperature: 0 },
});

/** OpenTelemetry traces (OTEL_EXPORTER_OTLP_ENDPOINT): one trace per request, across the services it reaches. */
describe('tracing (end to end, embedded)', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let upstream: FakeUpstream;
  let strata: StrataProcess;

  beforeAll(async () => {
    receiver = await startReceiver();
    upstream = await FakeUpstream.start();
    strata = await startStrataProcess('dist/apps/gateway/src/main.js', {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      STRATA_CACHE_TIMEOUT_MS: '2000',
      UPSTREAM_URL: upstream.url,
    });
  });

  afterAll(async () => {
    expect(await strata.stop()).toBe(0);
    await upstream.stop();
    await receiver.close();
  });

  const spansOf = (traceId: string) => receiver.spans.filter((span) => span.traceId === traceId);

  it('exports one trace per request: the gateway span, the cache lookup and the embedding under it', async () => {
    await http(strata.url, 'POST', '/v1/cache/entries', {
      body: { ...ask('How long do I have to return shoes?'), response: { answer: '30 days' } },
    });
    const looked = await http(strata.url, 'POST', '/v1/cache/lookup', {
      body: ask('How many days do I have to send shoes back?'),
    });
    expect(looked.status).toBe(200);

    const server = await eventually(() => {
      const found = receiver.spans.find((span) => span.name === 'POST /v1/cache/lookup');
      if (!found) throw new Error('no gateway span yet');
      return found;
    });
    const trace = await eventually(() => {
      const spans = spansOf(server.traceId);
      const names = spans.map((span) => span.name);
      if (!names.includes('cache.lookup') || !names.includes('embedding.embed'))
        throw new Error(`spans so far: ${names.join(', ')}`);
      return spans;
    });
    const lookup = trace.find((span) => span.name === 'cache.lookup');
    expect(lookup?.parentSpanId).toBe(server.spanId);
    const embed = trace.find((span) => span.name === 'embedding.embed');
    expect(embed?.parentSpanId).toBe(lookup?.spanId);
  });

  it("continues the caller's trace when the request carries a W3C traceparent", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await http(strata.url, 'POST', '/v1/cache/lookup', {
      body: ask('Do you ship to Canada?'),
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    const spans = await eventually(() => {
      const found = spansOf(traceId);
      if (!found.some((span) => span.name === 'cache.lookup')) throw new Error('no spans of that trace yet');
      return found;
    });
    expect(spans.find((span) => span.name === 'POST /v1/cache/lookup')?.parentSpanId).toBe('00f067aa0ba902b7');
  });

  it("puts a miss's upstream call in the request's trace: a client span with method, route and status, no prompt or key", async () => {
    const question = 'Can I return shoes I have worn outside?';
    const reply = await http(strata.url, 'POST', '/v1/chat/completions', {
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }], temperature: 0 },
      apiKey: 'sk-e2e-client-secret',
    });
    expect(reply.status).toBe(200);
    const call = await eventually(() => {
      const found = receiver.spans.find((span) => span.name === 'upstream POST /chat/completions');
      if (!found) throw new Error('no upstream span yet');
      return found;
    });
    const server = await eventually(() => {
      const found = spansOf(call.traceId).find((span) => span.name === 'POST /v1/chat/completions');
      if (!found) throw new Error('no gateway span in that trace yet');
      return found;
    });

    expect(call.parentSpanId).toBe(server.spanId);
    expect(call.kind).toBe(3); // SPAN_KIND_CLIENT in OTLP
    const attributes = Object.fromEntries(
      (call.attributes ?? []).map((a) => [a.key, a.value.stringValue ?? Number(a.value.intValue)]),
    );
    expect(attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/chat/completions',
      'http.response.status_code': 200,
      'strata.upstream.endpoint': 'chat',
      'server.address': '127.0.0.1',
    });
    const exported = JSON.stringify(call);
    expect(exported).not.toContain(question);
    expect(exported).not.toContain('sk-e2e-client-secret');
  });

  it('traces a data change from the HTTP request through the invalidation service', async () => {
    const published = await http(strata.url, 'POST', '/v1/invalidations', { body: { tags: ['doc:returns'] } });
    expect(published.status).toBe(202);
    const server = await eventually(() => {
      const found = receiver.spans.find((span) => span.name === 'POST /v1/invalidations');
      if (!found) throw new Error('no gateway span yet');
      return found;
    });
    await eventually(() => {
      if (!spansOf(server.traceId).some((span) => span.name === 'invalidation.apply'))
        throw new Error('no invalidation span in that trace yet');
    });
  });
});

/** Distributed mode: the trace context crosses process boundaries in the Kafka messages' traceparent header. */
describe('tracing (end to end, distributed over Kafka)', () => {
  const REDIS_DB = 12;
  const redis = createClient({ url: `redis://127.0.0.1:6379/${REDIS_DB}` });
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let broker: StrataProcess;
  let qdrant: RunningQdrantTestDouble;
  let services: StrataProcess[] = [];
  let gateway: StrataProcess;

  beforeAll(async () => {
    await redis.connect();
    await redis.flushDb();
    receiver = await startReceiver();
    broker = await startStrataProcess('dist/tools/kafka-test-broker/src/main.js', {}, /listening on (\S+)/);
    qdrant = await QdrantTestDouble.start({ port: 0 });
    const env = {
      ...distributedEnv({ brokers: broker.url, redisDb: REDIS_DB, qdrantUrl: qdrant.url, cacheTimeoutMs: 5000 }),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    };
    services = await Promise.all(
      ['embedding', 'cache', 'gateway'].map((name) => startStrataProcess(`dist/apps/${name}/src/main.js`, env)),
    );
    gateway = services[2];
    for (const p of services)
      await eventually(async () => (await http(p.url, 'GET', '/health/ready')).status === 200, 60_000);
  }, 180_000);

  afterAll(async () => {
    for (const p of [...services].reverse()) await p.stop();
    await broker?.stop();
    await qdrant?.stop();
    await receiver?.close();
    await redis.flushDb();
    await redis.quit();
  });

  it('puts the gateway, cache and embedding processes of one lookup in one trace', async () => {
    const looked = await eventually(async () => {
      const res = await http(gateway.url, 'POST', '/v1/cache/lookup', { body: ask('Do you sell running shoes?') });
      if (res.status !== 200) throw new Error(`lookup answered ${res.status}`);
      return res;
    }, 30_000);
    expect(looked.body.hit).toBe(false);
    const server = await eventually(() => {
      const found = receiver.spans.find(
        (span) => span.name === 'POST /v1/cache/lookup' && span.service === 'strata-gateway',
      );
      if (!found) throw new Error('no gateway span yet');
      return found;
    });
    const trace = await eventually(() => {
      const spans = receiver.spans.filter((span) => span.traceId === server.traceId);
      const services = new Set(spans.map((span) => span.service));
      if (!services.has('strata-cache') || !services.has('strata-embedding'))
        throw new Error(`services in the trace so far: ${[...services].join(', ')}`);
      return spans;
    });
    const lookup = trace.find((span) => span.name === 'cache.lookup');
    expect(lookup?.service).toBe('strata-cache');
    const consumed = trace.find((span) => span.spanId === lookup?.parentSpanId);
    expect(consumed?.name).toBe('strata.cache.lookup.v1 process');
  });
});
