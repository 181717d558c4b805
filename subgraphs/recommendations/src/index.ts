export {
  startRecommendationsService,
  recommendationsMigrations,
  type RecommendationsDeps,
} from './service.js';
export { recommendationsEnvSchema, type RecommendationsEnv } from './env.js';
