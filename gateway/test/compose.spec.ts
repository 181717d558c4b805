import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { composeSupergraph, readSupergraphConfig } from '../src/compose/compose.js';

const configPath = fileURLToPath(new URL('../../supergraph.yaml', import.meta.url));

describe('composition', () => {
  it('composes the four subgraphs from supergraph.yaml without errors', async () => {
    const entries = readSupergraphConfig(configPath);
    expect(entries.map((e) => e.name).sort()).toEqual(['events', 'recommendations', 'tickets', 'users']);
    const { supergraphSdl } = await composeSupergraph(entries);
    // Spot-check that every subgraph contributed what API.md promises.
    for (const field of [
      'organizedEvents',
      'ticketTiers',
      'availability',
      'recommendedEvents',
      'similarEvents',
      'trendingEvents',
      'ticketAvailabilityChanged',
      'signUp',
    ]) {
      expect(supergraphSdl).toContain(field);
    }
  });
});
