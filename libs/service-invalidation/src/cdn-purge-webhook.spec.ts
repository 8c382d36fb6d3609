import { loadConfig } from '@strata/config';
import { CdnPurgeWebhook, type WebhookPost } from './cdn-purge-webhook';

function setup(statuses: (number | Error)[], url: string | null = 'https://cdn.example.com/purge') {
  const calls: { url: string; body: unknown }[] = [];
  const post: WebhookPost = (to, body) => {
    calls.push({ url: to, body: JSON.parse(body) });
    const next = statuses.shift() ?? 200;
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  };
  const config = loadConfig(url === null ? {} : { STRATA_CDN_PURGE_URL: url }, {
    log: { level: 'silent' },
    cache: { namespaces: { faq: { public: true }, support: {} } },
  });
  const sut = new CdnPurgeWebhook(config, post, () => Promise.resolve());
  return { sut, calls };
}

describe(CdnPurgeWebhook.name, () => {
  it('posts the surrogate keys a purge selects to the configured webhook', async () => {
    const { sut, calls } = setup([]);
    await expect(sut.notify({ tenant: 'acme', tags: ['product:1'] }).done).resolves.toBe(true);
    expect(calls).toEqual([
      {
        url: 'https://cdn.example.com/purge',
        body: { tenant: 'acme', surrogateKeys: ['strata:acme:tag:product%3A1'] },
      },
    ]);
  });

  it('retries errors and 5xx, then gives up without throwing', async () => {
    const { sut, calls } = setup([new Error('ECONNREFUSED'), 503, 200]);
    await expect(sut.notify({ tenant: 'acme', namespace: 'faq' }).done).resolves.toBe(true);
    expect(calls).toHaveLength(3);

    const failing = setup([500, 500, 500, 500, 500]);
    await expect(failing.sut.notify({ tenant: 'acme', namespace: 'faq' }).done).resolves.toBe(false);
    expect(failing.calls).toHaveLength(4);
  });

  it('does not retry a refusal (4xx)', async () => {
    const { sut, calls } = setup([400]);
    await expect(sut.notify({ tenant: 'acme', namespace: 'faq' }).done).resolves.toBe(false);
    expect(calls).toHaveLength(1);
  });

  it('sends nothing for purges that cannot touch a public answer, or without a webhook', async () => {
    const { sut, calls } = setup([]);
    await sut.notify({ tenant: 'acme', namespace: 'support' }).done;
    await sut.notify({ tenant: 'acme', tags: ['$user:abc'] }).done;
    expect(calls).toEqual([]);

    const none = setup([], null);
    await expect(none.sut.notify({ tenant: 'acme', namespace: 'faq' }).done).resolves.toBe(false);
    expect(none.calls).toEqual([]);
  });
});
