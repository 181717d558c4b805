import type { DestinationStream } from 'pino';
import { prettyFactory } from 'pino-pretty';

/** Fields every JSON line has that a person at a terminal does not read. */
const NOISE = ['pid', 'hostname', 'reqId', 'trace_id', 'span_id', 'trace_flags'];

interface AccessLine {
  req?: { method?: string; path?: string };
  res?: { status?: number };
  responseTime?: number;
  operation?: string;
  request_id?: string;
  err?: unknown;
}

/** pino-http's line (see request-scope.ts): the one that has a response and its time. */
export const isAccessLine = (line: object): line is AccessLine => 'responseTime' in line && 'res' in line;

/**
 * `POST /graphql 200 SignIn 34 ms`: what an access line says, in its message; the request id
 * only when it failed (to find its other lines).
 */
function readable(line: Record<string, unknown>): Record<string, unknown> {
  for (const key of NOISE) delete line[key];
  if (!isAccessLine(line)) return line;
  const {
    req,
    res,
    responseTime,
    operation,
    request_id: requestId,
    err,
    ...rest
  } = line as AccessLine & Record<string, unknown>;
  const words = [req?.method, req?.path, res?.status, operation, `${responseTime} ms`];
  return {
    ...rest,
    msg: words.filter((word) => word !== undefined).join(' '),
    ...(err === undefined ? {} : { err, request_id: requestId }),
  };
}

/**
 * Human-readable lines on stdout (pino-pretty, in-process and synchronous: nothing is lost on
 * exit, and the scrubbing hooks ran before). Colours only on a terminal.
 */
export function prettyDestination(
  output: { write(text: string): unknown; isTTY?: boolean } = process.stdout,
): DestinationStream {
  const format = prettyFactory({
    colorize: output.isTTY === true,
    translateTime: 'SYS:HH:MM:ss',
    singleLine: true,
    ignore: NOISE.join(','),
  });
  return {
    write(line: string) {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        output.write(line);
        return;
      }
      output.write(format(readable(parsed)));
    },
  };
}
