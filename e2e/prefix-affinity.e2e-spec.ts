import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeUpstream } from '@strata/testing';
import OpenAI from 'openai';
import { type StrataProcess, startStrataProcess } from './support/strata-process';

/**
 * Prefix-affinity routing through the built gateway: a route with three replicas (three fake upstreams).
 * Requests sharing a system prompt go to one replica; a replica that stops answering is failed over.
 */
describe('Prefix-affinity routing over replicas (end to end)', () => {
  const KEY = 'sk-replicas';
  let replicas: FakeUpstream[];
  let strata: StrataProcess;
  let configDir: string;
  let openai: OpenAI;

  /** Sampling requests (never cached), so that every one reaches a replica. */
  const ask = (system: string, question: string) =>
    openai.chat.completions.create({
      model: 'llama-test',
      temperature: 0.7,
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: question },
      ],
    });
  const servedBy = (question: string) => replicas.findIndex((r) => r.chatCalls(question).length > 0);

  beforeAll(async () => {
    replicas = await Promise.all([0, 1, 2].map(() => FakeUpstream.start({ apiKey: KEY })));
    configDir = mkdtempSync(join(tmpdir(), 'strata-affinity-e2e-'));
    const configFile = join(configDir, 'strata.json');
    const [first, ...others] = replicas.map((r) => r.url);
    writeFileSync(
      configFile,
      JSON.stringify({ upstream: { routes: [{ models: ['llama-*'], url: first, replicas: others, apiKey: KEY }] } }),
    );
    strata = await startStrataProcess('dist/apps/gateway/src/main.js', {
      STRATA_CONFIG: configFile,
      STRATA_CACHE_TIMEOUT_MS: '2000',
    });
    openai = new OpenAI({ apiKey: 'unused', baseURL: `${strata.url}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    expect(await strata.stop()).toBe(0);
    await Promise.all(replicas.map((r) => r.stop()));
    rmSync(configDir, { recursive: true, force: true });
  });

  it('sends requests with the same stable prefix to the same replica, and different prefixes to several', async () => {
    for (let i = 0; i < 6; i++) await ask('You are the returns assistant.', `returns question ${i}`);
    const homes = new Set(Array.from({ length: 6 }, (_, i) => servedBy(`returns question ${i}`)));
    expect(homes.size).toBe(1);

    for (let p = 0; p < 12; p++) await ask(`You are assistant number ${p}.`, `prefix ${p} question`);
    expect(new Set(Array.from({ length: 12 }, (_, p) => servedBy(`prefix ${p} question`))).size).toBeGreaterThan(1);
  });

  it('fails over to the next replica when the home replica cannot be reached', async () => {
    const home = servedBy('returns question 0');
    await replicas[home]?.stop();
    const answer = await ask('You are the returns assistant.', 'returns question after failover');
    expect(answer.choices[0]?.message.content).toMatch(/^Answer #\d+ to: returns question after failover$/);
    const next = servedBy('returns question after failover');
    expect(next).not.toBe(home);
    expect(next).toBeGreaterThanOrEqual(0);
  });
});
