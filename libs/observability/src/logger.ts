import { type LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import { Correlation } from './correlation';

/** Paths whose values never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["api-key"]',
  'req.headers["x-api-key"]',
  'headers.authorization',
  '*.apiKey',
  '*.password',
  '*.sasl',
];

export function createLogger(level: string, name: string): Logger {
  return pino({
    level,
    name,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { service: name },
    mixin: () => {
      const requestId = Correlation.id();
      return requestId === undefined ? {} : { requestId };
    },
  });
}

/** NestJS logger backed by pino (structured JSON lines). */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
