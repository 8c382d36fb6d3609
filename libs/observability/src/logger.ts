import { type LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { Correlation } from './correlation';

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
  /** Default 64 KiB: more waiting than this leaves at once. */
  readonly maxChars?: number;
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
  const maxChars = options.maxChars ?? 64 * 1024;
  const schedule = options.schedule ?? ((flush, ms) => setTimeout(flush, ms).unref());
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    pendingAtExit.delete(flush);
    if (pending === '') return;
    const text = pending;
    pending = '';
    stream.write(text);
  };
  return {
    /** Writes what is waiting now (the server is closing). */
    flush,
    write(line: string) {
      pending += line;
      if (pending.length >= maxChars) {
        flush();
        return;
      }
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

/**
 * `fixedFields`: the caller writes only fields it picked from values that are never secret, the request id among
 * them (the access log: method, path, status, cache, tier, time, tenant, request id), so its lines skip the redaction
 * pass and the request-id mixin (a cost per line, and the access log writes one per request).
 */
interface LoggerOptions {
  readonly fixedFields?: boolean;
}

export function createLogger(
  level: string,
  name: string,
  format: LogFormat = 'json',
  destination: NodeJS.WritableStream | DestinationStream = process.stdout,
  { fixedFields = false }: LoggerOptions = {},
): Logger {
  const options = fixedFields
    ? { level, name, base: { service: name } }
    : {
        level,
        name,
        redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
        base: { service: name },
        mixin: () => {
          const requestId = Correlation.id();
          return requestId === undefined ? {} : { requestId };
        },
      };
  if (format === 'json') return pino(options, destination);
  if (!('on' in destination)) throw new Error('the pretty log format writes to a stream');
  return pino(options, prettyStream(destination));
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
 * line's structured fields (so redaction applies to them), its `msg` the message.
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
