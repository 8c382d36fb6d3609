import { type IContainer } from 'kubernetes-models/v1/Container';
import { type K8sObject, objectRef, podTemplateOf } from '../manifest';
import { type Finding, finding } from './finding';

const CHECK = 'kafka-broker';

function isKafkaBroker(object: K8sObject, container: IContainer): boolean {
  return object.kind === 'StatefulSet' && /(^|\/)kafka:/.test(container.image ?? '');
}

const envValue = (container: IContainer, name: string) => container.env?.find((e) => e.name === name)?.value;

/**
 * The in-cluster Kafka brokers (apache/kafka StatefulSet):
 * - readiness is a real check (an exec probe: registered and in the ISR), not an open port — a StatefulSet
 *   rolling restart moves to the next broker as soon as this one is Ready, and a port answers long before
 *   the broker has caught up, taking partitions below min ISR;
 * - logs go to stdout only: the image's default log4j configuration writes daily-rolled files that are
 *   never deleted, and kafka-server-start adds GC log files (up to 1 GB), both filling their volume.
 */
export function checkKafkaBrokers(objects: readonly K8sObject[]): Finding[] {
  const out: Finding[] = [];
  for (const object of objects) {
    for (const container of podTemplateOf(object)?.spec.containers ?? []) {
      if (!isKafkaBroker(object, container)) continue;
      const subject = objectRef(object);
      const where = `container "${container.name}"`;
      if (!container.readinessProbe?.exec)
        out.push(
          finding(
            CHECK,
            subject,
            `${where}: readiness is ${container.readinessProbe ? 'an open port' : 'missing'}; check that the broker is registered and in the ISR (an exec probe)`,
          ),
        );
      if (!/-Dlog4j2?\.configuration(File)?=/.test(envValue(container, 'KAFKA_LOG4J_OPTS') ?? ''))
        out.push(
          finding(
            CHECK,
            subject,
            `${where}: KAFKA_LOG4J_OPTS does not name a log4j configuration; the image's default writes log files that are never deleted`,
          ),
        );
      const extraArgs = envValue(container, 'EXTRA_ARGS');
      if (extraArgs === undefined || extraArgs.includes('-loggc'))
        out.push(
          finding(
            CHECK,
            subject,
            `${where}: GC log files are on (EXTRA_ARGS unset or with -loggc): set EXTRA_ARGS=-name kafkaServer`,
          ),
        );
    }
  }
  return out;
}
