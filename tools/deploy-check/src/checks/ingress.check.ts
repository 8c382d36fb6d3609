import { type IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { type IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { type IService } from 'kubernetes-models/v1/Service';
import { selects } from '../label-selector';
import { type K8sObject, objectRef } from '../manifest';
import { appContainers, loadedConfig } from './app-config.check';
import { type Finding, finding } from './finding';

const CHECK = 'ingress';
const NGINX = 'nginx.ingress.kubernetes.io/';
/** ingress-nginx's proxy-read-timeout and proxy-send-timeout when no annotation sets them. */
const NGINX_DEFAULT_TIMEOUT_SECONDS = 60;

/** Does an Ingress path route requests for `path` (Prefix matches by whole segments; Exact; else prefix)? */
function routes(ingressPath: string, pathType: string | undefined, path: string): boolean {
  if (pathType === 'Exact') return ingressPath === path;
  const prefix = ingressPath.endsWith('/') ? ingressPath : `${ingressPath}/`;
  return ingressPath === '/' || path === ingressPath || path.startsWith(prefix);
}

/**
 * What the public Ingress exposes and how long it waits:
 * - no Ingress routes `/metrics` (tenant names, cost per model) or `/health/*`: they are for the cluster;
 * - ServiceMonitors never scrape a port the Ingress makes public;
 * - ingress-nginx waits on the gateway longer than the gateway waits on the upstream (its request and
 *   stream-idle timeouts), or slow completions and quiet streams are cut at 60 s.
 */
export function checkIngress(objects: readonly K8sObject[]): Finding[] {
  const out: Finding[] = [];
  const gateway = appContainers(objects).find((a) => a.container.name === 'gateway');
  const config = gateway && loadedConfig(gateway);
  const upstreamWaitSeconds = config
    ? Math.max(config.upstream.timeoutMs, config.upstream.streamIdleTimeoutMs) / 1000
    : undefined;
  for (const ingress of objects.filter((o) => o.kind === 'Ingress')) {
    const spec = (ingress as unknown as IIngress).spec;
    const subject = objectRef(ingress);
    for (const rule of spec?.rules ?? []) {
      for (const p of rule.http?.paths ?? []) {
        for (const internal of ['/metrics', '/health/ready']) {
          if (routes(p.path ?? '/', p.pathType, internal))
            out.push(
              finding(
                CHECK,
                subject,
                `path ${p.path ?? '/'} (${p.pathType}) routes ${internal} to the public: route /v1 only`,
              ),
            );
        }
      }
    }
    const nginx =
      spec?.ingressClassName === 'nginx' ||
      Object.keys(ingress.metadata.annotations ?? {}).some((k) => k.startsWith(NGINX));
    if (nginx && upstreamWaitSeconds !== undefined) {
      for (const name of ['proxy-read-timeout', 'proxy-send-timeout']) {
        const raw = ingress.metadata.annotations?.[`${NGINX}${name}`];
        const seconds = raw === undefined ? NGINX_DEFAULT_TIMEOUT_SECONDS : Number(raw);
        if (!(seconds > upstreamWaitSeconds))
          out.push(
            finding(
              CHECK,
              subject,
              `${name} is ${seconds} s${raw === undefined ? ' (ingress-nginx default)' : ''}, not more than the gateway waits on the upstream (${upstreamWaitSeconds} s)`,
            ),
          );
      }
    }
  }
  const publicPorts = new Set(
    objects
      .filter((o) => o.kind === 'Ingress')
      .flatMap((o) => ((o as unknown as IIngress).spec?.rules ?? []).flatMap((r) => r.http?.paths ?? []))
      .map((p) => p.backend.service)
      .filter((b) => b !== undefined)
      .map((b) => `${b.name}:${b.port?.name ?? b.port?.number ?? ''}`),
  );
  const services = objects.filter((o) => o.kind === 'Service') as (K8sObject & IService)[];
  for (const monitor of objects.filter((o) => o.kind === 'ServiceMonitor')) {
    const spec = (monitor as unknown as IServiceMonitor).spec;
    const selected = services.filter((s) => selects(spec.selector, s.metadata.labels ?? {}));
    for (const endpoint of spec.endpoints ?? []) {
      for (const service of selected) {
        const port = (service.spec?.ports ?? []).find((p) => p.name === endpoint.port);
        if (
          port &&
          (publicPorts.has(`${service.metadata.name}:${port.name}`) ||
            publicPorts.has(`${service.metadata.name}:${port.port}`))
        )
          out.push(
            finding(
              CHECK,
              objectRef(monitor),
              `scrapes ${service.metadata.name}'s port "${port.name}", which the Ingress makes public: serve /metrics on the port named "metrics"`,
            ),
          );
      }
    }
  }
  return out;
}
