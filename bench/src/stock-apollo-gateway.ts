import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

/**
 * Stock @apollo/gateway for bench:gateway: default settings, plus the one header our subgraphs
 * insist on (they refuse requests without the gateway's internal credential).
 */
const [supergraphPath, port, secret] = process.argv.slice(2) as [string, string, string];
process.env.APOLLO_TELEMETRY_DISABLED = 'true';
const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(supergraphPath, 'utf8'),
  buildService: ({ url }) =>
    new RemoteGraphQLDataSource({
      url,
      willSendRequest({ request }) {
        request.http?.headers.set('x-marquee-internal', secret);
      },
    }),
});
const server = new ApolloServer({ gateway });
await startStandaloneServer(server, { listen: { port: Number(port), host: '127.0.0.1' } });
