import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs; credentials never reach them, whatever object a caller logs. */
export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    name: service,
    level,
    redact: {
      paths: [
        'password',
        '*.password',
        'token',
        '*.token',
        'accessToken',
        '*.accessToken',
        'refreshToken',
        '*.refreshToken',
        'key',
        '*.key',
        'paymentToken',
        '*.paymentToken',
        'req.headers.authorization',
        'req.headers["x-api-key"]',
        'req.headers["x-marquee-internal"]',
        'headers.authorization',
        'headers["x-api-key"]',
        'headers["x-marquee-internal"]',
        'variables.*',
      ],
      censor: '[redacted]',
    },
  });
}
