import { z } from 'zod';

/**
 * The fetch standard's "bad ports" (https://fetch.spec.whatwg.org/#port-blocking): well-known
 * ports of other protocols (SMTP, IRC, X11...) that browsers and Node's own fetch() refuse to
 * connect to. A service listening on one starts fine and then cannot be reached: the seed,
 * the gateway's health checks and the playground in a browser all fail with "bad port".
 */
export const BAD_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104,
  109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515,
  526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049,
  3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** A TCP port to listen on (0: any free one), refused if fetch() could not reach it. */
export const portNumber = z.coerce
  .number()
  .int()
  .min(0)
  .max(65_535)
  .refine((port) => !BAD_PORTS.has(port), {
    error: (issue) =>
      `${String(issue.input)} is a port browsers and fetch() refuse to connect to (on the fetch ` +
      "standard's list of ports of other protocols); choose another",
  });

/** A *_PORT variable with its default. */
export const port = (fallback: number) => portNumber.default(fallback);
