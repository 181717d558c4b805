import type { LoggerService } from '@nestjs/common';
import { activeTraceIds } from '@marquee/telemetry';
import { pino, type DestinationStream, type Logger } from 'pino';
import { loggableError, scrubLine, scrubLogArguments } from './log-scrub.js';
import { currentRequest } from './request-scope.js';

export type { Logger };

/** Anything that carries a credential, at the top level or one or two levels down. */
const SECRETS = [
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'accessToken',
  'refreshToken',
  'key',
  'apiKey',
  'secret',
  'internalSecret',
  'paymentToken',
  'authorization',
  'cookie',
  // Operation variables carry passwords, tokens and personal data: never logged, whole.
  'variables',
];
const SECRET_HEADERS = ['x-api-key', 'x-marquee-internal'];
const REDACT = [
  ...SECRETS.flatMap((name) => [name, `*.${name}`, `*.*.${name}`]),
  ...SECRET_HEADERS.flatMap((name) => [`headers["${name}"]`, `*.headers["${name}"]`]),
];

/** Trace and request ids (and the operation) of the request being served, on every line. */
function requestFields() {
  const scope = currentRequest();
  return {
    ...activeTraceIds(),
    ...(scope ? { request_id: scope.requestId } : {}),
    ...(scope?.operation ? { operation: scope.operation } : {}),
  };
}

/**
 * JSON logs (pino); credentials never reach them, whatever object a caller logs, and neither do
 * a failed query's values, however the error is logged (`{ err }`, `String(error)`, its message
 * in the text, nested in another object): see log-scrub.ts. `destination` defaults to stdout
 * (tests capture lines with their own stream).
 */
export function createLogger(service: string, level = 'info', destination?: DestinationStream): Logger {
  const options = {
    name: service,
    level,
    mixin: requestFields,
    redact: { paths: REDACT, censor: '[redacted]' },
    // In place of pino's own, which folds the causes into one message and drops their fields
    // (the SQL state of the driver error under drizzle's): errors arrive here already loggable.
    serializers: { err: (value: unknown) => (value instanceof Error ? loggableError(value) : value) },
    hooks: {
      // Every call of this logger and its children passes here before pino serializes it.
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(this, scrubLogArguments(args));
      },
      streamWrite: scrubLine,
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Nest's own messages through pino, as JSON: warnings and errors always, its chatter
 * (route mapping, "application started") only at debug.
 */
export function nestLogger(log: Logger): LoggerService {
  const write =
    (level: 'debug' | 'trace' | 'warn' | 'error' | 'fatal') =>
    (message: unknown, ...rest: unknown[]) => {
      const context = typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
      const stack = level === 'error' && typeof rest[0] === 'string' && rest.length > 1 ? rest[0] : undefined;
      log[level]({ nest: context, ...(stack ? { stack } : {}) }, String(message));
    };
  return {
    log: write('debug'),
    debug: write('debug'),
    verbose: write('trace'),
    warn: write('warn'),
    error: write('error'),
    fatal: write('fatal'),
  };
}
