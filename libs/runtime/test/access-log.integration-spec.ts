import { FakeUpstream } from '@strata/testing';
import { rawRequest, startGateway } from './support/gateway-harness';

const KEY = 'acme-secret-key';
const QUESTION = 'Which shoes fit a wide foot?';
const MESSAGES = [{ role: 'user', content: QUESTION }];
const ENTRY = JSON.stringify({
  model: 'gpt-test',
  messages: MESSAGES,
  params: { temperature: 0 },
  response: { answer: 'Wide-fit trainers' },
});
const LOOKUP = JSON.stringify({ model: 'gpt-test', messages: MESSAGES, params: { temperature: 0 } });

/** Captures what the process writes to stdout (where the logs go) while `run` runs; still writes it through. */
async function stdoutOf(run: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    return write(chunk, ...(rest as []));
  };
  try {
    await run();
  } finally {
    process.stdout.write = write;
  }
  return lines;
}

function accessLines(lines: string[]): Record<string, unknown>[] {
  return lines
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry['msg'] === 'request');
}

/** Issue #16 item 4: one access-log line per request, on by default, without keys or prompt text. */
describe('access log', () => {
  let upstream: FakeUpstream;

  beforeAll(async () => {
    upstream = await FakeUpstream.start();
  });

  afterAll(async () => {
    await upstream?.stop();
  });

  const start = (env: Record<string, string>) =>
    startGateway({
      STRATA_API_KEYS: `acme=${KEY}`,
      UPSTREAM_URL: upstream.url,
      UPSTREAM_API_KEY: 'operator-upstream-key',
      LOG_LEVEL: 'info',
      STRATA_LOG_FORMAT: 'json',
      ...env,
    });

  it('writes one info line per request with method, path, status, cache status, tier, time and tenant', async () => {
    const strata = await start({});
    const auth = { authorization: `Bearer ${KEY}` };
    const lines = await stdoutOf(async () => {
      await rawRequest(strata.url, { method: 'POST', path: '/v1/cache/entries', headers: auth, body: ENTRY });
      await rawRequest(strata.url, { method: 'POST', path: '/v1/cache/lookup', headers: auth, body: LOOKUP });
      await rawRequest(strata.url, {
        method: 'POST',
        path: '/v1/chat/completions',
        headers: auth,
        body: JSON.stringify({ model: 'gpt-test', messages: MESSAGES, temperature: 0.9 }),
      });
      await rawRequest(strata.url, {
        path: '/v1/cache/entries?q=secret%20question',
        headers: { authorization: 'Bearer wrong' },
      });
      // Lines are written in windows; the last ones when the server closes.
      await strata.stop();
    });

    const access = accessLines(lines);
    expect(access.map((l) => [l['method'], l['path'], l['status']])).toEqual([
      ['POST', '/v1/cache/entries', 201],
      ['POST', '/v1/cache/lookup', 200],
      ['POST', '/v1/chat/completions', 200],
      ['GET', '/v1/cache/entries', 401],
    ]);
    expect(access[1]).toMatchObject({ level: 30, cache: 'HIT', tier: 'l1', tenant: 'acme' });
    expect(access[2]).toMatchObject({ cache: 'BYPASS', tenant: 'acme' });
    expect(access[3]?.['tenant']).toBeUndefined();
    for (const line of access) {
      expect(typeof line['ms']).toBe('number');
      expect(typeof line['requestId']).toBe('string');
    }
    const text = JSON.stringify(access);
    expect(text).not.toContain(KEY);
    expect(text).not.toContain('wrong');
    expect(text).not.toContain(QUESTION);
    expect(text).not.toContain('secret');
  });

  it('writes the same line for a hit answered again by the front door, with its own request id', async () => {
    const strata = await start({});
    const auth = { authorization: `Bearer ${KEY}` };
    const lines = await stdoutOf(async () => {
      await rawRequest(strata.url, { method: 'POST', path: '/v1/cache/entries', headers: auth, body: ENTRY });
      // The first hit is answered by the route; the same request asked again is replayed (hit-replays spec).
      for (let i = 0; i < 4; i++)
        await rawRequest(strata.url, { method: 'POST', path: '/v1/cache/lookup', headers: auth, body: LOOKUP });
      await rawRequest(strata.url, {
        method: 'POST',
        path: '/v1/cache/lookup',
        headers: { ...auth, 'x-request-id': 'client-"id"-5' },
        body: LOOKUP,
      });
      await strata.stop();
    });

    const hits = accessLines(lines).slice(1);
    expect(hits).toHaveLength(5);
    const { time: _t, ms: _ms, requestId: _id, ...first } = hits[0] ?? {};
    expect(first).toEqual({
      level: 30,
      service: 'strata-access',
      name: 'strata-access',
      method: 'POST',
      path: '/v1/cache/lookup',
      status: 200,
      cache: 'HIT',
      tier: 'l1',
      tenant: 'acme',
      msg: 'request',
    });
    for (const line of hits) {
      const { time, ms, requestId, ...rest } = line;
      expect(rest).toEqual(first);
      expect(typeof time).toBe('number');
      expect(typeof ms).toBe('number');
      expect(typeof requestId).toBe('string');
    }
    expect(new Set(hits.map((l) => l['requestId'])).size).toBe(5);
    expect(hits[4]?.['requestId']).toBe('client-"id"-5');
  });

  it('writes none with STRATA_ACCESS_LOG=off', async () => {
    const strata = await start({ STRATA_ACCESS_LOG: 'off' });
    const lines = await stdoutOf(async () => {
      await rawRequest(strata.url, {
        method: 'POST',
        path: '/v1/cache/lookup',
        headers: { authorization: `Bearer ${KEY}` },
        body: LOOKUP,
      });
      await strata.stop();
    });
    expect(accessLines(lines)).toEqual([]);
  });
});
