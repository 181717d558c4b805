import { describe, expect, it } from 'vitest';
import { EnvError, parseEnv, z } from './index.js';
import { BAD_PORTS, port, portNumber } from './port.js';

const schema = z.object({ GATEWAY_PORT: port(4000), OPS_PORT: portNumber.optional() });

const problemsOf = (source: Record<string, string>) => {
  try {
    parseEnv(schema, source);
    return [];
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    return error.problems;
  }
};

describe('port settings', () => {
  it('take a free port, 0 (any free port) or the default', () => {
    expect(parseEnv(schema, {})).toEqual({ GATEWAY_PORT: 4000 });
    expect(parseEnv(schema, { GATEWAY_PORT: '0', OPS_PORT: '9464' })).toEqual({
      GATEWAY_PORT: 0,
      OPS_PORT: 9464,
    });
  });

  it("refuse the fetch standard's bad ports, naming the variable, the port and why", () => {
    expect(problemsOf({ GATEWAY_PORT: '6000' })).toEqual([
      "GATEWAY_PORT: 6000 is a port browsers and fetch() refuse to connect to (on the fetch standard's list of ports of other protocols); choose another",
    ]);
    expect(problemsOf({ OPS_PORT: '6667' })).toHaveLength(1);
    expect(problemsOf({ OPS_PORT: '6667' })[0]).toMatch(/^OPS_PORT: 6667 is a port browsers/);
  });

  it('refuse every port on the list and nothing next to it', () => {
    for (const bad of BAD_PORTS) {
      expect(portNumber.safeParse(String(bad)).success, String(bad)).toBe(false);
      if (!BAD_PORTS.has(bad + 1) && bad + 1 <= 65_535)
        expect(portNumber.safeParse(bad + 1).success).toBe(true);
    }
    expect(BAD_PORTS.size).toBe(82);
  });

  it('refuse what is not a port', () => {
    expect(problemsOf({ GATEWAY_PORT: '65536' })[0]).toMatch(/^GATEWAY_PORT: /);
    expect(problemsOf({ GATEWAY_PORT: 'http' })[0]).toMatch(/^GATEWAY_PORT: /);
    expect(problemsOf({ GATEWAY_PORT: '4000.5' })[0]).toMatch(/^GATEWAY_PORT: /);
  });
});
