import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { httpErrorResponse, jsonBodyOptions } from './http-errors.js';

/** What body-parser throws (http-errors), as Nest hands it to the exception filter. */
const parserError = (status: number, type: string, extra: object = {}) =>
  new HttpException('raw parser message with details', status, {
    cause: Object.assign(new Error('raw parser message'), { status, type, ...extra }),
  });

describe('HTTP errors outside GraphQL', () => {
  it('answers body parser failures with their status, a fixed message and a code', () => {
    expect(httpErrorResponse(parserError(413, 'entity.too.large', { limit: 2048 }))).toEqual({
      status: 413,
      body: {
        errors: [
          { message: 'The request body is larger than 2048 bytes', extensions: { code: 'BAD_REQUEST' } },
        ],
      },
      unexpected: false,
    });
    const invalid = httpErrorResponse(
      new BadRequestException('Unexpected token } in JSON at position 3', {
        cause: Object.assign(new SyntaxError('x'), { status: 400, type: 'entity.parse.failed' }),
      }),
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors[0]!.message).not.toMatch(/token|position/);
    expect(httpErrorResponse(parserError(415, 'charset.unsupported')).body.errors[0]!.extensions.code).toBe(
      'BAD_REQUEST',
    );
  });

  it('gives unknown routes NOT_FOUND without echoing the path', () => {
    expect(httpErrorResponse(new NotFoundException('Cannot GET /secret/path')).body).toEqual({
      errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }],
    });
  });

  it('masks everything else as a bare 500', () => {
    for (const error of [
      new TypeError("Cannot read properties of undefined (reading 'x')"),
      'boom',
      undefined,
    ]) {
      const answer = httpErrorResponse(error);
      expect(answer).toEqual({
        status: 500,
        body: {
          errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
        },
        unexpected: true,
      });
    }
  });

  it('refuses bodies that are not valid UTF-8', () => {
    const { verify } = jsonBodyOptions(1024);
    expect(() => verify(undefined, undefined, Buffer.from('{"a":"é"}'), 'utf-8')).not.toThrow();
    expect(() => verify(undefined, undefined, Buffer.from([0x7b, 0xff, 0x7d]), 'utf-8')).toThrow(/UTF-8/);
    expect(() => verify(undefined, undefined, Buffer.from([0xc0, 0xaf]), 'utf-8')).toThrow(/UTF-8/);
    // Other charsets body-parser accepts (utf-16) are decoded by it, not checked here.
    expect(() => verify(undefined, undefined, Buffer.from('{}', 'utf16le'), 'utf-16le')).not.toThrow();
  });
});
