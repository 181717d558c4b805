import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

/**
 * The load client for bench:subscriptions, in its own process (forked with an IPC channel):
 * K graphql-transport-ws connections with one subscription each. It speaks the protocol
 * directly on `ws` so the client stays cheap and the server is what gets measured.
 */
interface Start {
  kind: 'start';
  url: string;
  count: number;
  /** The subscribe message's payload: a document, or a registered operation's id, and variables. */
  payload: Record<string, unknown>;
  connectionParams: Record<string, unknown>;
}
type Command =
  Start | { kind: 'arm' } | { kind: 'collect'; since: number; timeoutMs: number } | { kind: 'stop' };

const now = () => performance.timeOrigin + performance.now();
let sockets: WebSocket[] = [];
let armed = false;
let arrivals: number[] = [];
let ready = 0;

function open(start: Start): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(start.url, 'graphql-transport-ws', { perMessageDeflate: false });
    let first = true;
    ws.on('open', () =>
      ws.send(JSON.stringify({ type: 'connection_init', payload: start.connectionParams })),
    );
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.includes('"connection_ack"')) {
        ws.send(
          JSON.stringify({
            id: '1',
            type: 'subscribe',
            payload: start.payload,
          }),
        );
      } else if (text.includes('"next"')) {
        if (first) {
          first = false;
          ready += 1;
          resolve();
        } else if (armed) {
          arrivals.push(now());
        }
      } else if (text.includes('"error"')) {
        reject(new Error(text));
      }
    });
    ws.on('error', reject);
    // Refused at connection_init (a cap, a credential): closed, without an error message.
    ws.on('close', (code, reason) => reject(new Error(`closed ${code} ${reason.toString()}`)));
    sockets.push(ws);
  });
}

async function start(command: Start) {
  sockets = [];
  ready = 0;
  // Connect in waves so the listen backlog is never the thing being measured.
  for (let i = 0; i < command.count; i += 250) {
    const wave = [];
    for (let j = i; j < Math.min(command.count, i + 250); j++) wave.push(open(command));
    await Promise.all(wave);
  }
  process.send!({ kind: 'ready', ready });
}

async function collect(since: number, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  while (arrivals.length < sockets.length && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  armed = false;
  const latencies = arrivals.map((t) => t - since).sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] ?? null;
  process.send!({
    kind: 'result',
    received: latencies.length,
    expected: sockets.length,
    p50: at(0.5),
    p99: at(0.99),
    max: latencies.at(-1) ?? null,
  });
}

process.on('message', (command: Command) => {
  if (command.kind === 'start')
    void start(command).catch((error: unknown) => process.send!({ kind: 'failed', error: String(error) }));
  if (command.kind === 'arm') {
    arrivals = [];
    armed = true;
    process.send!({ kind: 'armed' });
  }
  if (command.kind === 'collect') void collect(command.since, command.timeoutMs);
  if (command.kind === 'stop') {
    for (const ws of sockets) ws.terminate();
    sockets = [];
    process.send!({ kind: 'stopped' });
  }
});
