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

/**
 * A destination whose writes within one turn of the event loop leave in one system call: `stream` is corked at the
 * first write of a turn and uncorked once the turn's I/O callbacks have run (`setImmediate`), or at exit. For lines
 * written per request (the access log): under load one `writev` carries a turn's lines instead of one write each. The
 * writes still go through `stream.write` in order, so every other writer to the same stream stays in sequence.
 */
export function coalescedWrites(stream: NodeJS.WriteStream): DestinationStream {
  let corked = false;
  const uncork = () => {
    if (!corked) return;
    corked = false;
    corkedNow.delete(uncork);
    stream.uncork();
  };
  return {
    write(line: string) {
      if (!corked) {
        corked = true;
        stream.cork();
        uncorkAtExit(uncork);
        setImmediate(uncork);
      }
      stream.write(line);
    },
  };
}

/** Destinations corked in this turn, uncorked by the one exit listener if the process ends first. */
const corkedNow = new Set<() => void>();
let exitListener = false;

function uncorkAtExit(uncork: () => void): void {
  corkedNow.add(uncork);
  if (exitListener) return;
  exitListener = true;
  process.once('exit', () => {
    for (const pending of [...corkedNow]) pending();
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
