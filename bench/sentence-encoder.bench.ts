/**
 * The local sentence encoder's throughput by worker threads (`EMBEDDING_THREADS`): callers that each embed one new
 * question at a time, `--in-flight` of them, for `--seconds` after a second of warm-up; texts per second and the
 * process's CPU (main thread and workers) per text. Thread counts alternate over `--rounds`. Nothing else runs in
 * the process: this is the encoder's own capacity on the cores it gets (the gateway's miss bench shows it beside a
 * server and its load).
 *
 * Usage: npm run build && node dist/bench/sentence-encoder.bench.js [--threads 1,2] [--in-flight 16] [--seconds 5]
 *        [--rounds 2]
 */
import { cpus } from 'node:os';
import { SentenceEncoderProvider } from '@strata/embedding-local';
import { listArgument, numberArgument } from './support/args';

const QUESTIONS = [
  'How do I reset my password',
  'What is the capital of',
  'Can I pay by invoice for order',
  'How long does delivery take to',
  'Which shoes fit a wide foot in size',
];

async function measure(
  threads: number,
  inFlight: number,
  seconds: number,
): Promise<{ perSecond: number; cpuMs: number; workers: number }> {
  const provider = await SentenceEncoderProvider.create({ threads });
  let next = 0;
  let counted = 0;
  let counting = false;
  const stopAt = Date.now() + 1000 + seconds * 1000;
  const caller = async (): Promise<void> => {
    while (Date.now() < stopAt) {
      const n = next++;
      await provider.embed([`${QUESTIONS[n % QUESTIONS.length]} ${n}?`]);
      if (counting) counted++;
    }
  };
  let started = 0n;
  let cpuAtStart = process.cpuUsage();
  const warm = setTimeout(() => {
    counting = true;
    started = process.hrtime.bigint();
    cpuAtStart = process.cpuUsage();
  }, 1000);
  await Promise.all(Array.from({ length: inFlight }, caller));
  clearTimeout(warm);
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuAtStart);
  const workers = provider.workers;
  await provider.close();
  return { perSecond: counted / elapsed, cpuMs: (cpu.user + cpu.system) / 1000 / counted, workers };
}

async function main(): Promise<void> {
  const threads = listArgument('threads', ['1', '2']).map(Number);
  const inFlight = numberArgument('in-flight', 16);
  const seconds = numberArgument('seconds', 5);
  const rounds = numberArgument('rounds', 2);
  console.log(
    `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}; ${inFlight} in flight, ${rounds} rounds × ${seconds} s`,
  );
  console.log('\n| round | threads | workers | texts/s | CPU ms/text |\n|---:|---:|---:|---:|---:|');
  for (let round = 1; round <= rounds; round++) {
    for (const count of threads) {
      const r = await measure(count, inFlight, seconds);
      console.log(`| ${round} | ${count} | ${r.workers} | ${r.perSecond.toFixed(0)} | ${r.cpuMs.toFixed(2)} |`);
    }
  }
}

void main();
