import { type LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

/** Paths whose values never reach a log line: credentials, and the prompts and answers users send. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["api-key"]',
  'req.headers["x-api-key"]',
  'req.headers["x-strata-key"]',
  'headers.authorization',
  'headers["api-key"]',
  'headers["x-api-key"]',
  'headers["x-strata-key"]',
  'apiKey',
  '*.apiKey',
  '*.password',
  '*.sasl',
  'messages',
  '*.messages',
  'prompt',
  '*.prompt',
];

/** `json`: one JSON object per line, for machines; `pretty`: one readable line per entry, for a terminal. */
export type LogFormat = 'json' | 'pretty';

/** The readable form: time, level, `[context]` and message on one line, then any other fields. */
function prettyStream(destination: NodeJS.WritableStream): DestinationStream {
  return pretty({
    destination,
    colorize: 'isTTY' in destination && destination.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service,context',
    messageFormat: '{if context}[{context}] {end}{msg}',
    singleLine: true,
    sync: true,
  });
}

/** How long lines may wait to be written together, and how much may wait (see `coalescedWrites`). */
export interface CoalescingOptions {
  /** Default 100 ms. */
  readonly windowMs?: number;
  /** Default 64 KiB: what waits is written once the next line would not fit. */
  readonly maxBytes?: number;
  /** Runs `flush` after `ms` (default: an unref'd timer, so waiting lines never keep the process alive). */
  readonly schedule?: (flush: () => void, ms: number) => void;
}

/**
 * A destination that gathers the lines written within a window (100 ms, or 64 KiB of them) and hands them to
 * `stream` in one write: for lines written per request (the access log), one system call per window instead of one
 * per line or per event-loop turn — a write to the pipe a container's stdout is was, per hit, about what answering it
 * cost. Lines leave in order, at the latest when the process exits; other writers to the same stream may land
 * between two windows (every line carries its time). `flush` writes what waits (a closing server calls it).
 */
export function coalescedWrites(
  stream: NodeJS.WritableStream,
  options: CoalescingOptions = {},
): DestinationStream & { readonly flush: () => void } {
  const windowMs = options.windowMs ?? 100;
  const maxBytes = options.maxBytes ?? 64 * 1024;
  const schedule = options.schedule ?? ((flush, ms) => setTimeout(flush, ms).unref());
  // Lines are encoded into a buffer as they come, so none lives on in the heap until the window ends (a string kept
  // for 100 ms is copied by every young-generation collection meanwhile).
  let buffer = Buffer.allocUnsafe(maxBytes);
  let used = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    pendingAtExit.delete(flush);
    if (used === 0) return;
    const chunk = buffer.subarray(0, used);
    buffer = Buffer.allocUnsafe(maxBytes);
    used = 0;
    stream.write(chunk);
  };
  return {
    /** Writes what is waiting now (the server is closing). */
    flush,
    write(line: string) {
      // At most 3 bytes per UTF-16 unit: a line that may not fit goes after what waits.
      const most = line.length * 3;
      if (used + most > maxBytes) flush();
      if (most > maxBytes) {
        stream.write(line);
        return;
      }
      used += buffer.write(line, used);
      if (scheduled) return;
      scheduled = true;
      flushAtExit(flush);
      schedule(flush, windowMs);
    },
  };
}

/** Destinations with lines waiting, written by the one exit listener if the process ends first. */
const pendingAtExit = new Set<() => void>();
let exitListener = false;

function flushAtExit(flush: () => void): void {
  pendingAtExit.add(flush);
  if (exitListener) return;
  exitListener = true;
  process.once('exit', () => {
    for (const pending of [...pendingAtExit]) pending();
  });
}

export function createLogger(
  level: string,
  name: string,
  format: LogFormat = 'json',
  destination: NodeJS.WritableStream | DestinationStream = process.stdout,
): Logger {
  const options = {
    level,
    name,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { service: name },
  };
  if (format === 'json') return pino(options, destination);
  if (!('on' in destination)) throw new Error('the pretty log format writes to a stream');
  return pino(options, prettyStream(destination));
}

/** The fields of one access-log line: never a key, never prompt text (see `accessLogWriter`). */
export interface AccessLogFields {
  readonly method: string;
  /** Without the query (a search may hold prompt text). */
  readonly path: string;
  readonly status: number;
  /** The cache's answer (`HIT`, `STALE`, `MISS`, `BYPASS`), when there was one. */
  readonly cache: string | undefined;
  readonly tier: string | undefined;
  readonly ms: number;
  readonly tenant: string | undefined;
  readonly requestId: string;
}

/** A JSON string value, or nothing for an absent field (as pino leaves undefined fields out). */
function field(name: string, value: string | undefined): string {
  return value === undefined ? '' : `,"${name}":${JSON.stringify(value)}`;
}

/** The fields of access-log lines that differ only in their time, `ms` and `requestId`. */
export type FixedAccessLogFields = Omit<AccessLogFields, 'ms' | 'requestId'>;

/** Writes one access-log line; `fixed` prepares a writer for many lines that share everything but `ms` and the id. */
export interface AccessLog {
  (fields: AccessLogFields): void;
  /**
   * A writer of lines with these fields, rendered once: the front door replays one answer many times, and a line
   * rendered field by field took ~3 µs of a replayed hit's ~30 µs of CPU in the gateway.
   */
  fixed(fields: FixedAccessLogFields): (ms: number, requestId: string) => void;
}

/**
 * The access log: one `info` line per request. In JSON each line is the one `createLogger(level, name)` would write
 * for these fields (`level`, `time`, `service`, `name`, the fields in this order, `msg: "request"`; absent fields left
 * out), built from this fixed shape in one template rather than by pino's generic serialiser — the access log writes a
 * line per cache hit, and pino's took ~4 µs of a replayed hit's ~35 µs of CPU in the gateway. Nothing is written when
 * `level` is above `info`. In the pretty format (a terminal) the lines go through pino and pino-pretty.
 */
export function accessLogWriter(
  level: string,
  name: string,
  format: LogFormat,
  destination: NodeJS.WritableStream | DestinationStream,
): AccessLog {
  const logger = createLogger(level, name, format, destination);
  if (!logger.isLevelEnabled('info')) return Object.assign(() => undefined, { fixed: () => () => undefined });
  if (format !== 'json') {
    const log = (fields: AccessLogFields) => logger.info(fields, 'request');
    return Object.assign(log, {
      fixed: (fields: FixedAccessLogFields) => (ms: number, requestId: string) => log({ ...fields, ms, requestId }),
    });
  }
  const names = `,"service":${JSON.stringify(name)},"name":${JSON.stringify(name)}`;
  // The line is `{"level":30,"time":` time, then what comes before `ms`, ms, what comes before the id, the id, the end.
  const beforeMs = (f: FixedAccessLogFields) =>
    `${names},"method":${JSON.stringify(f.method)},"path":${JSON.stringify(f.path)},"status":${f.status}` +
    `${field('cache', f.cache)}${field('tier', f.tier)},"ms":`;
  const beforeId = (f: FixedAccessLogFields) => `${field('tenant', f.tenant)},"requestId":`;
  // Tens of lines share a millisecond at load: its digits are rendered once.
  let time = 0;
  let timeText = '0';
  const write = (start: string, ms: number, middle: string, requestId: string) => {
    const now = Date.now();
    if (now !== time) {
      time = now;
      timeText = String(now);
    }
    destination.write(
      `{"level":30,"time":${timeText}${start}${ms}${middle}${JSON.stringify(requestId)},"msg":"request"}\n`,
    );
  };
  const log = (fields: AccessLogFields) => write(beforeMs(fields), fields.ms, beforeId(fields), fields.requestId);
  return Object.assign(log, {
    fixed(fields: FixedAccessLogFields) {
      const start = beforeMs(fields);
      const middle = beforeId(fields);
      return (ms: number, requestId: string) => write(start, ms, middle, requestId);
    },
  });
}

/** NestJS's own start-up lines (modules loaded, every route mapped): one per route, so ~45 at each start. */
const FRAMEWORK_START_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
  'NestMicroservice',
]);

type Level = 'info' | 'error' | 'warn' | 'debug' | 'trace';

/**
 * NestJS logger backed by pino. A message may be a string or an object: an object's fields become the
 * line's structured fields (so redaction applies to them), its `msg` the message. A line written while serving a
 * request names it with a `requestId` field (nothing adds one implicitly).
 * `quietFrameworkStart`: NestJS's start-up chatter is logged at `debug` instead of `info` (the pretty format,
 * where the start-up banner says what matters).
 */
export class PinoNestLogger implements LoggerService {
  constructor(
    private readonly logger: Logger,
    private readonly options: { quietFrameworkStart?: boolean } = {},
  ) {}

  log(message: unknown, context?: string): void {
    const quiet = this.options.quietFrameworkStart === true && context !== undefined;
    this.write(quiet && FRAMEWORK_START_CONTEXTS.has(context) ? 'debug' : 'info', message, { context });
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.write('error', message, trace === undefined ? { context } : { context, trace });
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, { context });
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, { context });
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, { context });
  }

  private write(level: Level, message: unknown, fields: Record<string, unknown>): void {
    if (message !== null && typeof message === 'object' && !(message instanceof Error)) {
      const { msg, ...rest } = message as Record<string, unknown>;
      this.logger[level]({ ...fields, ...rest }, typeof msg === 'string' ? msg : undefined);
      return;
    }
    if (message instanceof Error) {
      this.logger[level]({ ...fields, err: message }, message.message);
      return;
    }
    this.logger[level](fields, String(message));
  }
}
