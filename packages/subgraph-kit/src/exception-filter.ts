import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { httpErrorResponse } from './http-errors.js';
import { loggableError } from './log-scrub.js';

interface JsonReply {
  headersSent: boolean;
  status(code: number): JsonReply;
  json(body: unknown): void;
  end(): void;
}

/**
 * GraphQL errors go back to Apollo untouched: formatError decides what clients see and
 * logs what is unexpected. Without this, Nest logs every NOT_FOUND with a stack trace.
 * Everything else that ends an HTTP request (body parser failures, unknown routes, middleware
 * errors) is answered as JSON in the GraphQL error shape with a code, never an HTML page or a
 * framework's own error format; server faults are logged and shown as a bare 500.
 */
@Catch()
export class GraphQLPassThroughFilter implements ExceptionFilter {
  constructor(private readonly log?: { error(object: object, message: string): void }) {}

  catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType() !== 'http') return exception;
    const reply = host.switchToHttp().getResponse<JsonReply>();
    const { status, body, unexpected } = httpErrorResponse(exception);
    if (unexpected) this.log?.error({ err: describe(exception) }, 'unexpected error in an HTTP request');
    if (reply.headersSent) return reply.end();
    reply.status(status).json(body);
  }
}

/** Its cause chain too, never a failed query's values (log-scrub.ts). */
function describe(error: unknown): unknown {
  return loggableError(error instanceof Error ? error : String(error));
}
