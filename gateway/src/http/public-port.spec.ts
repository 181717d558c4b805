import { createConnection, createServer } from 'node:net';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PortError } from '@marquee/subgraph-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { listenGateway } from './public-port.js';

@Controller()
class PingController {
  @Get('graphql')
  ping() {
    return { ok: true };
  }
}

@Module({ controllers: [PingController] })
class PingModule {}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function app() {
  const created = await NestFactory.create(PingModule, { logger: false });
  closers.push(() => created.close());
  return created;
}

async function freePort() {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

describe('the gateway opening its public port later', () => {
  it('answers on a private port only, then on the public one only', async () => {
    const port = await freePort();
    const listener = await listenGateway(await app(), { port, host: '127.0.0.1', openLater: true });
    const privateUrl = listener.url();
    expect(listener.isOpen()).toBe(false);
    expect(await (await fetch(privateUrl)).json()).toEqual({ ok: true });
    expect(await accepts(port)).toBe(false);

    expect(await listener.open()).toBe(`http://127.0.0.1:${port}/graphql`);
    expect(listener.isOpen()).toBe(true);
    expect(await (await fetch(`http://127.0.0.1:${port}/graphql`)).json()).toEqual({ ok: true });
    expect(await accepts(Number(new URL(privateUrl).port))).toBe(false);
  });

  it('says a taken GATEWAY_PORT at once, before anything listens', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => holder.close(resolve)));
    const taken = (holder.address() as { port: number }).port;
    const error = await listenGateway(await app(), { port: taken, host: '127.0.0.1', openLater: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PortError);
    expect((error as Error).message).toBe(
      `GATEWAY_PORT=${taken} is already in use by another program; stop it or choose another port with GATEWAY_PORT=...`,
    );
  });

  it('opens at once without openLater, naming GATEWAY_PORT when it is taken', async () => {
    const port = await freePort();
    const listener = await listenGateway(await app(), { port, host: '127.0.0.1', openLater: false });
    expect(listener.url()).toBe(`http://127.0.0.1:${port}/graphql`);
    expect(await listener.open()).toBe(listener.url());
    const error = await listenGateway(await app(), { port, host: '127.0.0.1', openLater: false }).catch(
      (e: unknown) => e,
    );
    expect((error as PortError).variable).toBe('GATEWAY_PORT');
  });
});
