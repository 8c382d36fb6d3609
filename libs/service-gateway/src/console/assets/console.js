// Strata console: plain browser JavaScript, no build step, no third-party code, no network but this gateway.
// Every value from the API is put in the page as text (never as HTML): entries hold arbitrary user text.
'use strict';

const KEY = 'strata.key';
const TENANT = 'strata.tenant';
const POLL_MS = 2000;
const HISTORY = 90;

// ---------- small helpers ----------

function $(selector) {
  return document.querySelector(selector);
}

/** el('td', { class: 'x' }, 'text', otherNode): an element with attributes and text/node children. */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

function table(target, headings, rows) {
  const head = el(
    'tr',
    {},
    headings.map((h) => el('th', {}, h)),
  );
  target.replaceChildren(el('thead', {}, head), el('tbody', {}, rows));
}

function fmt(n, digits = 0) {
  return typeof n === 'number' ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : '–';
}

function pct(x) {
  return typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '–';
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : 'never';
}

function showError(error) {
  const box = $('#error');
  if (!error) {
    box.hidden = true;
    return;
  }
  box.textContent = error.code ? `${error.code}: ${error.message}` : String(error.message || error);
  box.hidden = false;
}

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** One call to the gateway with the pasted key; `{"error":{"code","message"}}` answers throw ApiError. */
async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  const key = sessionStorage.getItem(KEY);
  if (key) headers['x-strata-key'] = key;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (!response.ok) {
    const error = data && data.error ? data.error : {};
    throw new ApiError(response.status, error.code || 'http_error', error.message || `HTTP ${response.status}`);
  }
  return data;
}

/** `?tenant=` for admin keys (a tenant key reads its own tenant and leaves it empty). */
function withTenant(params) {
  const tenant = sessionStorage.getItem(TENANT);
  if (tenant) params.set('tenant', tenant);
  const query = params.toString();
  return query ? `?${query}` : '';
}

/** A modal confirmation; resolves true on OK. `body`: nodes or text. */
function confirmDialog(title, body, okLabel = 'OK', danger = false) {
  const dialog = $('#dialog');
  $('#dialog-title').textContent = title;
  $('#dialog-body').replaceChildren(...[].concat(body).map((b) => (b instanceof Node ? b : el('p', {}, b))));
  const ok = $('#dialog-ok');
  ok.textContent = okLabel;
  ok.className = danger ? 'danger' : '';
  $('#dialog-cancel').hidden = okLabel === 'Close';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
  });
}

// ---------- overview ----------

const samples = [];
let pollTimer;

function tile(label, value, id) {
  return el(
    'div',
    { class: 'tile', 'data-tile': id },
    el('div', { class: 'label' }, label),
    el('div', { class: 'value' }, value),
  );
}

/** Mean lookup latency from /metrics (admin keys only), from the histogram's sum and count. */
let metricsDenied = false;

async function lookupLatency() {
  if (metricsDenied) return undefined;
  const key = sessionStorage.getItem(KEY);
  const response = await fetch('/metrics', { headers: key ? { 'x-strata-key': key } : {} });
  if (!response.ok) {
    // A tenant key may not read /metrics: stop asking until another key is given.
    metricsDenied = response.status === 401 || response.status === 403;
    return undefined;
  }
  const text = await response.text();
  const read = (name) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}{tier="total"}`));
    return line ? Number(line.split(' ').pop()) : undefined;
  };
  const sum = read('strata_cache_lookup_duration_seconds_sum');
  const count = read('strata_cache_lookup_duration_seconds_count');
  return sum === undefined || count === undefined ? undefined : { sum, count };
}

function drawLines(target, series, max, height) {
  const width = 600;
  const nodes = [svg('line', { x1: 0, y1: height - 1, x2: width, y2: height - 1, stroke: '#d9dee5' })];
  for (const { values, color } of series) {
    if (values.length < 2) continue;
    const step = width / (HISTORY - 1);
    const offset = width - step * (values.length - 1);
    const points = values
      .map(
        (v, i) =>
          `${(offset + i * step).toFixed(1)},${(height - 4 - (Math.min(v, max) / (max || 1)) * (height - 12)).toFixed(1)}`,
      )
      .join(' ');
    nodes.push(svg('polyline', { points, fill: 'none', stroke: color, 'stroke-width': 2 }));
  }
  const label = svg('text', { x: 4, y: 12, fill: '#687385', 'font-size': 11 });
  label.textContent = `max ${fmt(max, 2)}`;
  nodes.push(label);
  target.replaceChildren(...nodes);
}

async function pollStats() {
  try {
    const [stats, latency] = await Promise.all([api('GET', '/v1/cache/stats'), lookupLatency().catch(() => undefined)]);
    samples.push({ at: Date.now(), stats, latency });
    if (samples.length > HISTORY) samples.shift();
    renderOverview();
    showError(null);
  } catch (error) {
    showError(error);
  }
}

function renderOverview() {
  const last = samples[samples.length - 1];
  if (!last) return;
  const s = last.stats;
  const tiles = [
    tile('lookups', fmt(s.lookups), 'lookups'),
    tile('hit ratio', pct(s.hitRatio), 'hit-ratio'),
    tile('L1 hits', fmt(s.hits.l1), 'l1'),
    tile('L2 hits', fmt(s.hits.l2), 'l2'),
    tile('L3 hits', fmt(s.hits.l3), 'l3'),
    tile('misses', fmt(s.misses), 'misses'),
    tile('bypassed', fmt(s.bypassed), 'bypassed'),
    tile('tokens saved', fmt(s.saved && s.saved.tokens), 'tokens'),
    tile('money saved', s.saved ? `$${s.saved.usd.toFixed(4)}` : '–', 'usd'),
  ];
  if (s.entries) {
    tiles.push(tile('entries L1', fmt(s.entries.l1), 'entries-l1'));
    tiles.push(tile('entries L2', fmt(s.entries.l2), 'entries-l2'));
    tiles.push(tile('entries L3', fmt(s.entries.l3), 'entries-l3'));
  }
  if (s.tenant) tiles.unshift(tile('tenant', s.tenant, 'tenant'));
  $('#tiles').replaceChildren(...tiles);

  // Per poll interval: what share of that interval's lookups each tier answered, and lookups per second.
  const ratios = { l1: [], l2: [], l3: [], total: [] };
  const rates = [];
  const latencies = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1];
    const b = samples[i];
    const lookups = b.stats.lookups - a.stats.lookups;
    const seconds = (b.at - a.at) / 1000;
    rates.push(seconds > 0 ? Math.max(0, lookups) / seconds : 0);
    for (const tier of ['l1', 'l2', 'l3', 'total'])
      ratios[tier].push(lookups > 0 ? (b.stats.hits[tier] - a.stats.hits[tier]) / lookups : 0);
    if (a.latency && b.latency && b.latency.count > a.latency.count)
      latencies.push((b.latency.sum - a.latency.sum) / (b.latency.count - a.latency.count));
  }
  drawLines(
    $('#ratio-chart'),
    ['l1', 'l2', 'l3', 'total'].map((tier) => ({
      values: ratios[tier],
      color: getComputedStyle(document.documentElement).getPropertyValue(`--${tier}`).trim(),
    })),
    1,
    160,
  );
  drawLines($('#rate-chart'), [{ values: rates, color: '#2457c5' }], Math.max(1, ...rates), 120);
  const latest = latencies[latencies.length - 1];
  $('#latency').textContent =
    last.latency === undefined
      ? 'Lookup latency: shown with an admin key (read from /metrics).'
      : `Mean lookup latency, last interval: ${latest === undefined ? '–' : `${(latest * 1000).toFixed(2)} ms`} · since start: ${(
          (last.latency.sum / Math.max(1, last.latency.count)) *
          1000
        ).toFixed(2)} ms`;
}

// ---------- namespaces ----------

async function loadNamespaces() {
  const { namespaces } = await api('GET', `/v1/cache/namespaces${withTenant(new URLSearchParams())}`);
  table(
    $('#namespaces-table'),
    [
      'namespace',
      'version',
      'entries (L2)',
      'temperature policy',
      'default TTL',
      'max TTL',
      'similarity threshold',
      '',
    ],
    namespaces.map((n) =>
      el(
        'tr',
        { 'data-namespace': n.name },
        el('td', {}, n.name),
        el('td', {}, `v${n.version}`),
        el('td', {}, fmt(n.entries)),
        el('td', {}, n.temperaturePolicy),
        el('td', {}, `${fmt(n.defaultTtlSeconds)} s`),
        el('td', {}, `${fmt(n.maxTtlSeconds)} s`),
        el('td', {}, n.similarityThreshold === null ? 'model default' : String(n.similarityThreshold)),
        el('td', {}, n.configured ? 'configured' : el('span', { class: 'muted' }, 'defaults')),
      ),
    ),
  );
}

// ---------- entries ----------

let entriesCursor = null;

function entriesQuery(cursor) {
  const form = new FormData($('#entries-form'));
  const params = new URLSearchParams();
  for (const name of ['q', 'tag', 'namespace', 'sort']) {
    const value = String(form.get(name) || '').trim();
    if (value) params.set(name, value);
  }
  params.set('limit', '50');
  if (cursor) params.set('cursor', cursor);
  return `/v1/cache/entries${withTenant(params)}`;
}

function entryRow(entry) {
  return el(
    'tr',
    { 'data-entry': entry.id },
    el('td', {}, entry.query || el('span', { class: 'muted' }, '(no query text)')),
    el('td', {}, entry.namespace),
    el(
      'td',
      {},
      entry.tags.map((t) => el('span', { class: 'tag' }, t)),
    ),
    el('td', {}, fmt(entry.hits)),
    el('td', {}, when(entry.lastHitAt)),
    el('td', {}, `${fmt(entry.age)} s / ${fmt(entry.ttl)} s`),
    el(
      'td',
      {},
      el('button', { type: 'button', class: 'plain', 'data-action': 'view', onclick: () => viewEntry(entry) }, 'View'),
      ' ',
      el(
        'button',
        { type: 'button', class: 'danger', 'data-action': 'delete', onclick: () => deleteEntry(entry) },
        'Delete',
      ),
    ),
  );
}

async function loadEntries(append) {
  const page = await api('GET', entriesQuery(append ? entriesCursor : null));
  entriesCursor = page.nextCursor;
  const target = $('#entries-table');
  if (!append || !target.tBodies[0])
    table(target, ['question', 'namespace', 'tags', 'hits', 'last hit', 'age / ttl', ''], []);
  target.tBodies[0].append(...page.entries.map(entryRow));
  if (target.tBodies[0].rows.length === 0)
    target.tBodies[0].append(el('tr', {}, el('td', { colspan: 7, class: 'muted' }, 'No entries match.')));
  $('#entries-more').hidden = !entriesCursor;
}

function viewEntry(entry) {
  return confirmDialog(
    entry.query || entry.id,
    [
      el(
        'p',
        { class: 'muted' },
        `${entry.id} · ${entry.namespace} v${entry.namespaceVersion} · ${entry.model} · stored ${when(entry.createdAt)}`,
      ),
      el('pre', { id: 'entry-json' }, JSON.stringify(entry.response, null, 2)),
    ],
    'Close',
  );
}

async function deleteEntry(entry) {
  const ok = await confirmDialog(
    'Delete this entry?',
    [
      el('p', {}, entry.query || entry.id),
      el('p', { class: 'muted' }, 'It is removed from every tier, with every copy served from it.'),
    ],
    'Delete',
    true,
  );
  if (!ok) return;
  try {
    const reply = await api('DELETE', `/v1/cache/entries/${encodeURIComponent(entry.id)}`);
    const row = document.querySelector(`tr[data-entry="${CSS.escape(entry.id)}"]`);
    if (row) row.remove();
    await confirmDialog(
      'Deleted',
      `Removed: L1 ${reply.purged.l1} · L2 ${reply.purged.l2} · L3 ${reply.purged.l3}`,
      'Close',
    );
  } catch (error) {
    showError(error);
  }
}

// ---------- purge ----------

function purgeRequest() {
  const form = new FormData($('#purge-form'));
  const by = form.get('by');
  const value = String(form.get('value') || '').trim();
  if (by === 'tag') return { body: { tags: [value] }, what: `every entry tagged "${value}"` };
  if (by === 'namespace') return { body: { namespace: value }, what: `every entry of namespace "${value}"` };
  const minSimilarity = Number(form.get('minSimilarity'));
  return {
    body: { semantic: { text: value, minSimilarity } },
    what: `every entry whose question means "${value}" (similarity ≥ ${minSimilarity})`,
  };
}

async function purge(event) {
  event.preventDefault();
  const { body, what } = purgeRequest();
  const ok = await confirmDialog(
    'Purge?',
    [el('p', {}, `This removes ${what} from L1, L2 and L3 on every gateway.`)],
    'Purge',
    true,
  );
  if (!ok) return;
  try {
    const reply = await api('POST', '/v1/cache/purge', body);
    const { l1, l2, l3 } = reply.purged;
    const rows = [el('p', { class: 'ok', id: 'purge-counts' }, `Purged: L1 ${l1} · L2 ${l2} · L3 ${l3}`)];
    if (reply.semantic)
      rows.push(
        el(
          'p',
          { class: 'muted' },
          `${reply.semantic.matched} entries matched by meaning${reply.semantic.truncated ? ' (capped)' : ''}.`,
        ),
      );
    $('#purge-result').replaceChildren(...rows);
    showError(null);
  } catch (error) {
    showError(error);
  }
}

// ---------- events ----------

async function loadEvents() {
  const { events, deadLetters } = await api('GET', `/v1/invalidations/recent${withTenant(new URLSearchParams())}`);
  table(
    $('#events-table'),
    ['at', 'event', 'tenant', 'selects', 'outcome', 'purged (L2 / L3)', 'ms'],
    events.map((e) =>
      el(
        'tr',
        {},
        el('td', {}, when(e.at)),
        el('td', {}, e.id),
        el('td', {}, e.tenant),
        el('td', {}, [
          ...(e.tags || []).map((t) => el('span', { class: 'tag' }, t)),
          e.namespace ? `namespace ${e.namespace}` : '',
          e.semantic ? `meaning "${e.semantic}"` : '',
        ]),
        el('td', {}, e.outcome),
        el('td', {}, e.purged ? `${e.purged.l2} / ${e.purged.l3}` : '–'),
        el('td', {}, e.latencyMs === undefined ? '–' : fmt(e.latencyMs, 1)),
      ),
    ),
  );
  table(
    $('#dead-letters-table'),
    ['at', 'topic', 'tenant', 'reason'],
    deadLetters.length === 0
      ? [el('tr', {}, el('td', { colspan: 4, class: 'muted' }, 'None.'))]
      : deadLetters.map((d) =>
          el(
            'tr',
            {},
            el('td', {}, when(d.at)),
            el('td', {}, d.topic),
            el('td', {}, d.tenant || '–'),
            el('td', {}, d.reason),
          ),
        ),
  );
}

// ---------- explain ----------

async function explain(event) {
  event.preventDefault();
  const form = new FormData($('#explain-form'));
  const messages = [];
  const system = String(form.get('system') || '').trim();
  if (system) messages.push({ role: 'system', content: system });
  messages.push({ role: 'user', content: String(form.get('question')) });
  const body = { model: String(form.get('model')).trim(), messages, params: { temperature: 0 }, explain: true };
  const namespace = String(form.get('namespace') || '').trim();
  if (namespace) body.namespace = namespace;
  try {
    const reply = await api('POST', '/v1/cache/lookup', body);
    const verdict = reply.hit
      ? el(
          'p',
          { class: 'ok', id: 'explain-verdict' },
          `Hit from ${reply.tier}${reply.similarity === undefined ? '' : ` (similarity ${reply.similarity})`}.`,
        )
      : el(
          'p',
          { class: 'error', id: 'explain-verdict' },
          reply.status === 'bypass' ? `Bypassed: ${reply.reason}` : 'Miss.',
        );
    const parts = [verdict];
    const x = reply.explain;
    if (x) {
      parts.push(
        el(
          'p',
          { class: 'muted' },
          `Threshold ${x.threshold} · required cosine lead ${x.margin} · ${x.candidates.length} candidate(s) in the same context.`,
        ),
      );
      const target = el('table', { id: 'candidates-table' });
      table(
        target,
        ['candidate question', 'cosine', 'similarity', 'verdict', 'reason', 'detail'],
        x.candidates.map((c) =>
          el(
            'tr',
            {},
            el('td', {}, c.query, c.id === x.chosen ? el('strong', {}, ' (served)') : ''),
            el('td', {}, c.cosine.toFixed(4)),
            el('td', {}, c.similarity.toFixed(4)),
            el('td', { class: c.accepted ? 'accepted' : 'rejected' }, c.accepted ? 'accepted' : 'rejected'),
            el('td', {}, c.reason),
            el(
              'td',
              {},
              c.detail ||
                (c.evidence
                  ? Object.entries(c.evidence)
                      .map(([k, v]) => `${k} ${Number(v).toFixed(3)}`)
                      .join(' · ')
                  : ''),
            ),
          ),
        ),
      );
      if (x.candidates.length === 0)
        parts.push(
          el(
            'p',
            {},
            'No stored question of this tenant shares this context (model, system prompt, namespace and version, earlier turns) closely enough to be compared.',
          ),
        );
      parts.push(target);
    } else if (reply.hit && reply.tier === 'l2') {
      parts.push(el('p', { class: 'muted' }, 'Exact match: the same request was stored.'));
    }
    $('#explain-result').replaceChildren(...parts);
    showError(null);
  } catch (error) {
    showError(error);
  }
}

// ---------- pages and key ----------

const loaders = { namespaces: loadNamespaces, entries: () => loadEntries(false), events: loadEvents };

async function show(page) {
  const name = document.getElementById(`page-${page}`) ? page : 'overview';
  for (const section of document.querySelectorAll('.page')) section.hidden = section.id !== `page-${name}`;
  for (const link of document.querySelectorAll('nav a')) link.classList.toggle('active', link.dataset.page === name);
  clearInterval(pollTimer);
  showError(null);
  if (!sessionStorage.getItem(KEY)) {
    showError({
      message:
        'Paste an API key above (a tenant key for its own data; an admin key from STRATA_ADMIN_KEYS with a tenant name).',
    });
  }
  if (name === 'overview') {
    await pollStats();
    pollTimer = setInterval(pollStats, POLL_MS);
    return;
  }
  const load = loaders[name];
  if (load) {
    try {
      await load();
    } catch (error) {
      showError(error);
    }
  }
}

function currentPage() {
  return location.hash.replace(/^#/, '') || 'overview';
}

function init() {
  $('#key').value = sessionStorage.getItem(KEY) || '';
  $('#tenant').value = sessionStorage.getItem(TENANT) || '';
  $('#key-state').textContent = sessionStorage.getItem(KEY) ? 'key set' : '';
  $('#key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const key = $('#key').value.trim();
    const tenant = $('#tenant').value.trim();
    if (key) sessionStorage.setItem(KEY, key);
    else sessionStorage.removeItem(KEY);
    if (tenant) sessionStorage.setItem(TENANT, tenant);
    else sessionStorage.removeItem(TENANT);
    $('#key-state').textContent = key ? 'key set' : '';
    samples.length = 0;
    metricsDenied = false;
    void show(currentPage());
  });
  $('#entries-form').addEventListener('submit', (event) => {
    event.preventDefault();
    loadEntries(false).catch(showError);
  });
  $('#entries-more').addEventListener('click', () => loadEntries(true).catch(showError));
  $('#purge-form').addEventListener('submit', purge);
  $('#explain-form').addEventListener('submit', explain);
  window.addEventListener('hashchange', () => void show(currentPage()));
  void show(currentPage());
}

document.addEventListener('DOMContentLoaded', init);
