export { startUsersService, usersMigrations, type UsersDeps } from './service.js';
export { usersEnvSchema, type UsersEnv } from './env.js';
export { seedDemoAccounts, DEMO_ACCOUNTS } from './demo/seed.js';
