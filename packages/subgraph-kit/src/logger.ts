import type { LoggerService } from '@nestjs/common';
import { activeTraceIds } from '@marquee/telemetry';
import { pino, type DestinationStream, type Logger } from 'pino';
import { loggableError, scrubLine, scrubLogArguments } from './log-scrub.js';
import { isAccessLine, prettyDestination } from './pretty.js';
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

/** LOG_FORMAT: readable lines for a person at a terminal, or one JSON object per line. */
export type LogFormat = 'pretty' | 'json';

export interface LogOutput {
  /** Unset: pretty when stdout is a terminal, JSON otherwise. */
  format?: LogFormat | undefined;
  /**
   * Whether a request's access line is written now: the launcher leaves out its seed's and,
   * in pretty mode, the subgraphs' (the gateway's line stands for the request). Only
   * successful requests: a failed one is always logged.
   */
  requestLines?: () => boolean;
  /** JSON lines to this stream instead of stdout (tests read them). */
  destination?: DestinationStream;
}

export const defaultLogFormat = (): LogFormat => (process.stdout.isTTY ? 'pretty' : 'json');

const INFO = 30;

/**
 * pino logs; credentials never reach them, whatever object a caller logs, and neither do a
 * failed query's values, however the error is logged (`{ err }`, `String(error)`, its message
 * in the text, nested in another object): see log-scrub.ts. `output`: a stream for JSON lines
 * (tests capture them), the format on stdout, or both and more (LogOutput).
 */
export function createLogger(
  service: string,
  level = 'info',
  output?: DestinationStream | LogFormat | LogOutput,
): Logger {
  const settings: LogOutput =
    typeof output === 'string'
      ? { format: output }
      : output && 'write' in output
        ? { destination: output }
        : (output ?? {});
  const { requestLines, destination } = settings;
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
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void, callLevel: number) {
        const [first] = args;
        if (requestLines && callLevel <= INFO && typeof first === 'object' && first && isAccessLine(first)) {
          if (!requestLines()) return;
        }
        method.apply(this, scrubLogArguments(args));
      },
      streamWrite: scrubLine,
    },
  };
  if (destination) return pino(options, destination);
  return (settings.format ?? defaultLogFormat()) === 'pretty'
    ? pino(options, prettyDestination())
    : pino(options);
}

const LISTEN_FAILED = /^Error: listen (EADDRINUSE|EACCES)\b/;

/**
 * Nest's own messages through pino, as JSON: warnings and errors always, its chatter
 * (route mapping, "application started") only at debug.
 */
export function nestLogger(log: Logger): LoggerService {
  const write =
    (level: 'debug' | 'trace' | 'warn' | 'error' | 'fatal') =>
    (message: unknown, ...rest: unknown[]) => {
      const context = typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
      // Nest logs a failed listen before rethrowing it; listen() says it as a PortError.
      if (context === 'NestApplication' && LISTEN_FAILED.test(String(message))) return;
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
