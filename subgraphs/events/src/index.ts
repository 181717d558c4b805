export { startEventsService, eventsMigrations, type EventsDeps } from './service.js';
export { eventsEnvSchema, type EventsEnv } from './env.js';
