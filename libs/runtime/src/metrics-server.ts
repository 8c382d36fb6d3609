import { type Server, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { ErrorCode } from '@strata/contracts';
import { HealthChecks, StrataMetrics } from '@strata/observability';

export interface RunningMetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

function send(res: import('node:http').ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * The gateway's operator port (`STRATA_METRICS_PORT`): `/metrics` and `/health/*` without a key, for
 * Prometheus and probes, off the API port where `/metrics` needs an admin key.
 */
export async function startMetricsServer(port: number, host: string): Promise<RunningMetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const fail = () =>
      send(
        res,
        500,
        'application/json; charset=utf-8',
        JSON.stringify({ error: { code: ErrorCode.Internal, message: 'internal error' } }),
      );
    if (req.method !== 'GET') {
      send(
        res,
        405,
        'application/json; charset=utf-8',
        JSON.stringify({ error: { code: ErrorCode.InvalidRequest, message: 'only GET' } }),
      );
    } else if (path === '/metrics') {
      StrataMetrics.shared()
        .registry.metrics()
        .then((text) => send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', text), fail);
    } else if (path === '/health/live') {
      send(res, 200, 'application/json; charset=utf-8', '{"status":"ok"}');
    } else if (path === '/health/ready') {
      HealthChecks.shared()
        .report()
        .then(
          (report) =>
            send(res, report.status === 'down' ? 503 : 200, 'application/json; charset=utf-8', JSON.stringify(report)),
          fail,
        );
    } else {
      send(
        res,
        404,
        'application/json; charset=utf-8',
        JSON.stringify({ error: { code: ErrorCode.NotFound, message: 'no such route' } }),
      );
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
