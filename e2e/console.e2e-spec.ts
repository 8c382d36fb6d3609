import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { eventually } from './support/eventually';
import { type StrataProcess, http, startStrataProcess } from './support/strata-process';

/** Debian's Chromium (`.ci/run` installs it when absent), driven by playwright-core: no browser download. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The web console in a real browser against the embedded server: each page loads and shows the API's data,
 * and the actions a user takes there (purge with confirmation, delete an entry, explain a miss) work. A
 * screenshot of each page is taken and checked to be a real rendering, not a blank page.
 */
describe('web console (end to end, headless Chromium)', () => {
  const ACME = 'acme-console-key';
  const GLOBEX = 'globex-console-key';
  const OPS = 'ops-console-admin-key';
  const system = { role: 'system', content: 'You are the support assistant of a shoe shop.' };
  const ask = (content: string) => ({
    model: 'gpt-4o-mini',
    messages: [system, { role: 'user', content }],
    params: { temperature: 0 },
  });

  let strata: StrataProcess;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  let shots: string;
  /** Browser errors (uncaught exceptions, CSP violations): a console that works has none. */
  const browserErrors: string[] = [];

  const store = async (question: string, tags: string[], apiKey = ACME) => {
    const res = await http(strata.url, 'POST', '/v1/cache/entries', {
      apiKey,
      body: { ...ask(question), response: { answer: `about: ${question}` }, tags },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  /** A screenshot of the page as it is now: a real rendering is a PNG of some size (a blank page is ~5 kB). */
  const screenshot = async (name: string) => {
    const path = join(shots, `${name}.png`);
    const png = await page.screenshot({ path, fullPage: true });
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(statSync(path).size).toBeGreaterThan(15_000);
  };

  const useKey = async (key: string, tenant = '') => {
    await page.fill('#key', key);
    await page.fill('#tenant', tenant);
    await page.click('#key-form button[type=submit]');
  };

  beforeAll(async () => {
    strata = await startStrataProcess('dist/apps/gateway/src/main.js', {
      STRATA_API_KEYS: `acme=${ACME},globex=${GLOBEX}`,
      STRATA_ADMIN_KEYS: OPS,
      STRATA_POPULARITY_FLUSH_MS: '100',
      // A loaded machine must not turn a semantic lookup (a new text's embedding) into a spurious miss.
      STRATA_CACHE_TIMEOUT_MS: '2000',
    });
    await store('How long do I have to return shoes?', ['doc:returns']);
    await store('Do you ship to Canada?', ['doc:shipping']);
    await store('Do you sell gift cards?', ['doc:gift-cards']);
    await store('What sizes do the running shoes come in?', ['doc:sizes']);
    await store("Globex's secret question", ['doc:returns'], GLOBEX);
    // Hits on one entry, so that sorting by popularity has something to sort.
    for (let i = 0; i < 3; i++)
      await http(strata.url, 'POST', '/v1/cache/lookup', { apiKey: ACME, body: ask('Do you ship to Canada?') });
    await http(strata.url, 'POST', '/v1/invalidations', { apiKey: ACME, body: { tags: ['doc:sizes'] } });

    profile = mkdtempSync(join(tmpdir(), 'strata-console-profile-'));
    shots = mkdtempSync(join(tmpdir(), 'strata-console-shots-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: { width: 1280, height: 900 },
    });
    page = await context.newPage();
    page.on('pageerror', (error) => browserErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of 40[13]/.test(message.text())) browserErrors.push(message.text());
    });
    await page.goto(`${strata.url}/console`);
    await useKey(ACME);
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
    // Screenshots stay in the temp dir for a look after a failure; say where.
    process.stdout.write(`console screenshots: ${shots}\n`);
    expect(await strata.stop()).toBe(0);
  });

  afterEach(() => {
    const errors = browserErrors.splice(0);
    expect(errors).toEqual([]);
  });

  it('serves the console as static files that may only talk to this gateway', async () => {
    const res = await fetch(`${strata.url}/console`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect((await fetch(`${strata.url}/console/..%2Fpackage.json`)).status).toBe(404);
  });

  it('overview: the tenant own lookups, hit ratio and savings, polled', async () => {
    await page.goto(`${strata.url}/console#overview`);
    await expect(page.textContent('[data-tile="tenant"] .value')).resolves.toBe('acme');
    await eventually(async () => expect(Number(await page.textContent('[data-tile="lookups"] .value'))).toBe(3));
    await expect(page.textContent('[data-tile="l1"] .value')).resolves.toBe('3');
    // Traffic while the page polls: hits and misses show in the next interval's ratio and rate.
    for (const question of ['Do you ship to Canada?', 'Do you sell gift cards?', 'Do you sell socks?'])
      await http(strata.url, 'POST', '/v1/cache/lookup', { apiKey: ACME, body: ask(question) });
    await eventually(async () => expect(Number(await page.textContent('[data-tile="lookups"] .value'))).toBe(6));
    await expect(page.textContent('[data-tile="misses"] .value')).resolves.toBe('1');
    await page.waitForSelector('#ratio-chart polyline', { state: 'attached' });
    await page.waitForSelector('#rate-chart polyline', { state: 'attached' });
    await screenshot('overview');
  });

  it('namespaces: policy, version and live entry count', async () => {
    await page.goto(`${strata.url}/console#namespaces`);
    const row = page.locator('tr[data-namespace="default"]');
    await row.waitFor();
    await expect(row.locator('td').nth(1).textContent()).resolves.toBe('v1');
    await expect(row.locator('td').nth(2).textContent()).resolves.toBe('3');
    await screenshot('namespaces');
  });

  it("entries: lists the tenant's entries most hit first, searches by text and tag, views one", async () => {
    await page.goto(`${strata.url}/console#entries`);
    await page.selectOption('#entries-form select[name=sort]', 'hits');
    await page.click('#entries-form button[type=submit]');
    await eventually(async () =>
      expect(await page.locator('#entries-table tbody tr td:first-child').allTextContents()).toEqual([
        'Do you ship to Canada?',
        expect.any(String),
        expect.any(String),
      ]),
    );
    const rows = await page.locator('#entries-table tbody tr').allTextContents();
    expect(rows.join('\n')).not.toContain('Globex');
    expect(rows.join('\n')).not.toContain('running shoes'); // purged by the data-change event
    await screenshot('entries');

    await page.fill('#entries-form input[name=q]', 'gift');
    await page.click('#entries-form button[type=submit]');
    await eventually(async () =>
      expect(await page.locator('#entries-table tbody tr td:first-child').allTextContents()).toEqual([
        'Do you sell gift cards?',
      ]),
    );
    await page.fill('#entries-form input[name=q]', '');
    await page.fill('#entries-form input[name=tag]', 'doc:returns');
    await page.click('#entries-form button[type=submit]');
    await eventually(async () =>
      expect(await page.locator('#entries-table tbody tr td:first-child').allTextContents()).toEqual([
        'How long do I have to return shoes?',
      ]),
    );

    await page.click('#entries-table [data-action=view]');
    await expect(page.textContent('#entry-json')).resolves.toContain('about: How long do I have to return shoes?');
    await screenshot('entry');
    await page.click('#dialog-ok');
  });

  it('entries: deletes an entry after confirmation, from every tier', async () => {
    const id = await store('Can I pay with PayPal?', ['doc:payments']);
    await page.goto(`${strata.url}/console#entries`);
    await page.fill('#entries-form input[name=tag]', 'doc:payments');
    await page.click('#entries-form button[type=submit]');
    await page.locator(`tr[data-entry="${id}"]`).waitFor();

    await page.click(`tr[data-entry="${id}"] [data-action=delete]`);
    await expect(page.textContent('#dialog-title')).resolves.toBe('Delete this entry?');
    await page.click('#dialog-ok');
    await eventually(async () => expect(await page.textContent('#dialog-body')).toMatch(/L1 1 · L2 1 · L3 1/));
    await page.click('#dialog-ok');

    expect(await page.locator(`tr[data-entry="${id}"]`).count()).toBe(0);
    expect((await http(strata.url, 'GET', `/v1/cache/entries/${id}`, { apiKey: ACME })).status).toBe(404);
  });

  it('purge: by tag, after confirmation, with the counts per tier; cancelling purges nothing', async () => {
    await page.goto(`${strata.url}/console#purge`);
    await page.fill('#purge-form input[name=value]', 'doc:shipping');
    await page.click('#purge-form button[type=submit]');
    await expect(page.textContent('#dialog-body')).resolves.toContain('every entry tagged "doc:shipping"');
    await page.click('#dialog-cancel');
    expect(
      (await http(strata.url, 'POST', '/v1/cache/lookup', { apiKey: ACME, body: ask('Do you ship to Canada?') })).body
        .hit,
    ).toBe(true);

    await page.click('#purge-form button[type=submit]');
    await page.click('#dialog-ok');
    await expect(page.locator('#purge-counts').textContent()).resolves.toBe('Purged: L1 1 · L2 1 · L3 1');
    await screenshot('purge');
    expect(
      (await http(strata.url, 'POST', '/v1/cache/lookup', { apiKey: ACME, body: ask('Do you ship to Canada?') })).body
        .hit,
    ).toBe(false);
  });

  it('events: the recent data-change events of the tenant, not those of others', async () => {
    await http(strata.url, 'POST', '/v1/invalidations', { apiKey: GLOBEX, body: { tags: ['doc:globex-only'] } });
    await page.goto(`${strata.url}/console#events`);
    await page.locator('#events-table tbody tr').first().waitFor();
    const events = (await page.locator('#events-table tbody').textContent()) ?? '';
    expect(events).toContain('doc:sizes');
    expect(events).toContain('applied');
    expect(events).not.toContain('doc:globex-only');
    await screenshot('events');
  });

  it('why did this miss: the candidates of a paraphrase with cosine, similarity and the verdict', async () => {
    await page.goto(`${strata.url}/console#explain`);
    await page.fill('#explain-form textarea[name=question]', 'How long do I have to return boots?');
    await page.fill('#explain-form textarea[name=system]', system.content);
    await page.click('#explain-form button[type=submit]');
    await page.locator('#candidates-table tbody tr').first().waitFor();
    const candidate = page.locator('#candidates-table tbody tr', { hasText: 'How long do I have to return shoes?' });
    await expect(candidate.locator('td').nth(3).textContent()).resolves.toBe('rejected');
    expect(Number(await candidate.locator('td').nth(1).textContent())).toBeGreaterThan(0.5);
    await expect(page.textContent('#explain-verdict')).resolves.toBe('Miss.');
    await screenshot('explain');
  });

  it('an admin key sees the whole gateway, and a tenant named on the entries page', async () => {
    await useKey(OPS, 'globex');
    await page.goto(`${strata.url}/console#overview`);
    await page.locator('[data-tile="entries-l2"]').waitFor();
    await page.goto(`${strata.url}/console#entries`);
    await page.fill('#entries-form input[name=tag]', '');
    await page.click('#entries-form button[type=submit]');
    await eventually(async () =>
      expect(await page.locator('#entries-table tbody tr td:first-child').allTextContents()).toEqual([
        "Globex's secret question",
      ]),
    );
    await useKey(ACME);
  });
});
