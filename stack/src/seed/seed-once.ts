import type { OpenDatabase } from '../database.js';
import type { Stack } from '../stack.js';
import { demoEvents } from './demo-data.js';
import { markSeedFinished, markSeedStarted, readSeedMarker } from './marker.js';
import { catalogueSize, seedDemo } from './seed.js';

const STARTING_AFRESH = 'The demo data was not completed last time: setting up the demo database again.';

/**
 * The embedded demo's first start seeds it, once and whole; the stack is started here (the
 * gateway on its private port only). A seed that did not finish (see marker.ts) is not
 * completed item by item: the demo database is dropped and seeded again from the start. Its
 * gateway was closed to everyone else while it ran, so whatever that database holds is the
 * seed's own half-done work and nothing is lost; and a fresh seed is the one path that is
 * tested, where resuming would have to find and finish every half-created venue, event,
 * tier and purchase.
 */
export async function seedDemoOnce(options: {
  database: OpenDatabase;
  /** Starts the stack (again, after a reset). */
  start(): Promise<Stack>;
  stop(): Promise<void>;
  nodeEnv: string;
  say(message: string): void;
  /** See seedDemo's pauseFile. */
  pauseFile?: string;
}): Promise<{ created: number }> {
  const { database, say } = options;
  let marker = await readSeedMarker(database.url);
  if (marker === 'started') {
    say(STARTING_AFRESH);
    await database.reset();
    marker = 'empty';
  }
  // Recorded before the services first start: a start stopped anywhere from here on is seen.
  if (marker === 'empty') await markSeedStarted(database.url);
  let stack = await options.start();
  if (marker === 'finished') return { created: 0 };
  if (marker === 'unmarked') {
    // Data from before seeds were recorded: kept if complete, else set up again.
    if ((await catalogueSize(stack.gatewayUrl)) >= demoEvents().length) {
      await markSeedFinished(database.url);
      return { created: 0 };
    }
    say(STARTING_AFRESH);
    await options.stop();
    await database.reset();
    await markSeedStarted(database.url);
    stack = await options.start();
  }
  const seeded = await seedDemo({
    gatewayUrl: stack.gatewayUrl,
    databaseUrl: database.url,
    nodeEnv: options.nodeEnv,
    ...(options.pauseFile ? { pauseFile: options.pauseFile } : {}),
  });
  // Every service has heard of the new events (search, recommendations) before anyone asks.
  await stack.settle();
  await markSeedFinished(database.url);
  return seeded;
}
