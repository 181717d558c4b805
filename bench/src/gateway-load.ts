import autocannon from 'autocannon';

/**
 * The load tool for bench:gateway, in its own process (forked with IPC, pinned to a core of
 * its own): autocannon against one gateway with a fixed or cycling set of request bodies.
 */
interface Run {
  url: string;
  headers: Record<string, string>;
  bodies: string[];
  connections: number;
  durationSeconds: number;
}

process.on('message', (run: Run) => {
  let next = 0;
  autocannon(
    {
      url: run.url,
      connections: run.connections,
      duration: run.durationSeconds,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...run.headers },
          setupRequest: (request) => {
            request.body = run.bodies[next++ % run.bodies.length]!;
            return request;
          },
        },
      ],
    },
    (error, result) => {
      if (error) {
        process.send!({ error: String(error) });
        return;
      }
      process.send!({
        rps: result.requests.average,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        requests: result.requests.total,
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
      });
    },
  );
});
