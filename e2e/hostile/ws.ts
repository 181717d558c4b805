import WebSocket from 'ws';
import { CLEAN_CODES } from './check.js';

interface Frame {
  id?: string;
  type: string;
  payload?: unknown;
}

/** A graphql-transport-ws connection driven by hand, so it can send what no client would. */
export class RawGraphQLWs {
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly frames: Frame[] = [];
  private readonly waiters: (() => void)[] = [];

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame);
      this.waiters.splice(0).forEach((wake) => wake());
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        resolve({ code, reason: String(reason) });
        this.waiters.splice(0).forEach((wake) => wake());
      });
    });
    socket.on('error', () => {});
  }

  /** Rejects with `Unexpected server response: <status>` when the upgrade is refused. */
  static async open(httpUrl: string, headers: Record<string, string> = {}): Promise<RawGraphQLWs> {
    const socket = new WebSocket(httpUrl.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new RawGraphQLWs(socket);
  }

  send(data: unknown, binary = false): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    if (binary) this.socket.send(Buffer.from(String(data)), { binary: true });
    else this.socket.send(typeof data === 'string' ? data : JSON.stringify(data));
  }

  async init(payload: unknown = {}): Promise<void> {
    this.send({ type: 'connection_init', payload });
    await this.until((frames) => frames.some((f) => f.type === 'connection_ack'), 5_000);
  }

  /** Whether connection_init was acknowledged (false: the server closed the connection). */
  get acknowledged() {
    return this.frames.some((f) => f.type === 'connection_ack');
  }

  /** The frames received for operation `id` so far. */
  framesOf(id: string): Frame[] {
    return this.frames.filter((f) => f.id === id);
  }

  /** Waits until a frame for `id` has arrived (or the timeout). */
  async firstFrame(id: string, timeoutMs = 10_000): Promise<Frame | undefined> {
    await this.until((frames) => frames.some((f) => f.id === id), timeoutMs);
    return this.frames.find((f) => f.id === id);
  }

  /** Frames for operation `id` until it ends (error or complete), or undefined on timeout. */
  async answer(id: string, timeoutMs = 10_000): Promise<Frame[] | undefined> {
    const ended = (frames: Frame[]) =>
      frames.some((f) => f.id === id && (f.type === 'error' || f.type === 'complete'));
    if (!(await this.until(ended, timeoutMs))) return undefined;
    return this.frames.filter((f) => f.id === id);
  }

  get isOpen() {
    return this.socket.readyState === WebSocket.OPEN;
  }

  close() {
    this.socket.close();
  }

  private async until(done: (frames: Frame[]) => boolean, timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (!done(this.frames)) {
      if (Date.now() > end || this.socket.readyState === WebSocket.CLOSED) return done(this.frames);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
    return true;
  }
}

/** What is wrong with the frames answering one hostile subscribe message, or null. */
export function wsProblem(frames: Frame[] | undefined): string | null {
  if (!frames) return 'no answer';
  const text = JSON.stringify(frames);
  if (/\.(ts|js):\d+|node_modules|stacktrace|Failed query|PostgresError/.test(text))
    return `leak: ${text.slice(0, 300)}`;
  const errors: unknown[] = [];
  for (const frame of frames) {
    if (frame.type === 'error')
      errors.push(...(Array.isArray(frame.payload) ? frame.payload : [frame.payload]));
    if (frame.type === 'next')
      errors.push(...(((frame.payload as { errors?: unknown[] })?.errors ?? []) as unknown[]));
  }
  for (const error of errors as { extensions?: { code?: unknown } }[]) {
    const code = error?.extensions?.code;
    if (typeof code !== 'string' || !CLEAN_CODES.has(code))
      return `code ${String(code)}: ${text.slice(0, 300)}`;
  }
  return null;
}

const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A subscribe payload of the shape graphql-ws accepts (whatever the document in it). */
export function wellFormedSubscribe(payload: unknown): boolean {
  if (!isObject(payload)) return false;
  const { query, variables, operationName, extensions } = payload as Record<string, unknown>;
  return (
    typeof query === 'string' &&
    (variables == null || isObject(variables)) &&
    (operationName == null || typeof operationName === 'string') &&
    (extensions == null || isObject(extensions))
  );
}
