/**
 * The Qdrant REST test double (tools/qdrant-test-double) as its own process, so that a bench drives it over
 * the network like a real Qdrant and its CPU is metered apart from the bench's. Prints
 * `qdrant-test-double listening on http://HOST:PORT`; stops on SIGTERM/SIGINT. Benchmarks only.
 */
import { QdrantTestDouble } from '../../tools/qdrant-test-double/src';

async function main(): Promise<void> {
  const running = await QdrantTestDouble.start({ port: 0 });
  process.stdout.write(`qdrant-test-double listening on ${running.url}\n`);
  const stop = () => {
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
