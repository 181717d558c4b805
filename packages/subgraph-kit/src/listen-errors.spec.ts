import { createServer } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { listen } from './bootstrap.js';
import { createLogger, nestLogger } from './logger.js';
import { exitOnPortError, PortError, portErrorOf } from './listen-errors.js';

@Module({})
class EmptyModule {}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  vi.restoreAllMocks();
});

async function takenPort(): Promise<number> {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => holder.close(resolve)));
  return (holder.address() as { port: number }).port;
}

describe('a port that cannot be listened on', () => {
  it('is a PortError from listen(), in one sentence', async () => {
    const port = await takenPort();
    const lines: string[] = [];
    const log = createLogger('svc', 'debug', { write: (line: string) => void lines.push(line) });
    const app: INestApplication = await NestFactory.create(EmptyModule, { logger: nestLogger(log) });
    closers.push(() => app.close());
    const error = await listen(app, port, '127.0.0.1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortError);
    expect((error as PortError).message).toBe(
      `Port ${port} is already in use by another program; stop it or choose another port.`,
    );
    // Nest's own "Error: listen EADDRINUSE" line is not logged besides.
    expect(lines.filter((line) => line.includes('EADDRINUSE'))).toEqual([]);
    expect((error as PortError).named('EVENTS_PORT').message).toBe(
      `EVENTS_PORT=${port} is already in use by another program; stop it or choose another port with EVENTS_PORT=...`,
    );
  });

  it('is told apart from other listen failures', () => {
    expect(portErrorOf(Object.assign(new Error('x'), { code: 'EACCES' }), 80)?.message).toBe(
      'Port 80 needs privileges this process does not have (ports below 1024 usually do); choose another port.',
    );
    expect(portErrorOf(new Error('something else'), 80)).toBeUndefined();
  });

  it('makes an entry point print the sentence naming the variable and exit 1', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const print = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    exitOnPortError(new PortError(4000, 'in use'), { USERS_PORT: 4003, GATEWAY_PORT: 4000 });
    expect(print).toHaveBeenCalledWith(
      'GATEWAY_PORT=4000 is already in use by another program; stop it or choose another port with GATEWAY_PORT=...',
    );
    expect(exit).toHaveBeenCalledWith(1);
    exit.mockClear();
    exitOnPortError(new Error('not a port problem'));
    expect(exit).not.toHaveBeenCalled();
  });
});
