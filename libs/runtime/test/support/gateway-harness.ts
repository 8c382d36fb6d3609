import { request as httpRequest } from 'node:http';
import { type StrataConfigInput, loadConfig } from '@strata/config';
import { type RunningStrata, startEmbedded } from '../../src/start-strata';

export interface RawReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  readonly json: unknown;
}

export interface RawRequest {
  readonly method?: string;
  /** Sent exactly as given (no URL normalisation, unlike fetch): `/v1/models/%2e%2e/count` stays as it is. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Gives up (rejects) after this long: the caller asserts "never a hang". */
  readonly timeoutMs?: number;
}

/** One HTTP request over a fresh connection, with the path and body sent byte for byte. */
export function rawRequest(baseUrl: string, req: RawRequest): Promise<RawReply> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: req.method ?? 'GET',
        path: req.path,
        headers: { ...(req.body === undefined ? {} : { 'content-type': 'application/json' }), ...(req.headers ?? {}) },
        agent: false,
        timeout: req.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    r.on('timeout', () =>
      r.destroy(new Error(`${req.method ?? 'GET'} ${req.path} did not answer within ${req.timeoutMs ?? 10_000} ms`)),
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

/** True when the body is Strata's one error format: `{"error":{"code":string,"message":string,...}}`. */
export function isStandardError(json: unknown): boolean {
  if (!json || typeof json !== 'object') return false;
  const error = (json as { error?: unknown }).error;
  if (!error || typeof error !== 'object') return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === 'string' && typeof message === 'string';
}

/** Strata as production runs it (the four services in this process, config from env), on 127.0.0.1 and a free port. */
export async function startGateway(
  env: Record<string, string>,
  overrides: StrataConfigInput = {},
): Promise<RunningStrata & { readonly url: string }> {
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', ...env }, overrides);
  const running = await startEmbedded(config);
  if (running.url === undefined) throw new Error('the gateway did not listen');
  return running as RunningStrata & { readonly url: string };
}
