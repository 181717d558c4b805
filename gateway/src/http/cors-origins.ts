import { z } from '@marquee/env';

/** `https://app.example.com` (scheme, host, optional port: what a browser sends in `Origin`). */
function isOrigin(entry: string): boolean {
  try {
    const url = new URL(entry);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === entry.replace(/\/$/, '');
  } catch {
    return false;
  }
}

const entries = (value: string) =>
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);

/**
 * CORS_ORIGINS: comma-separated origins, or `*` for any origin (then without credentials).
 * Unset: localhost origins outside production, none in production. Empty: none.
 */
export const corsOrigins = z
  .string()
  .optional()
  .superRefine((value, ctx) => {
    for (const entry of value === undefined ? [] : entries(value)) {
      if (entry !== '*' && !isOrigin(entry)) {
        ctx.addIssue({
          code: 'custom',
          message: `"${entry}" is not an origin like https://app.example.com (or *)`,
        });
      }
    }
  })
  .transform((value) =>
    value === undefined ? undefined : entries(value).map((entry) => entry.replace(/\/$/, '').toLowerCase()),
  );
