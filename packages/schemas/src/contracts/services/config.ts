import { defineContract } from '../types';

/** services/config — owner: @serverless-espresso/config-team (CODEOWNERS). */
export const configContract = defineContract({
  service: 'config',
  emits: ['ConfigService.ConfigChanged'],
  consumes: {},
  routes: [
    'GET /shops/{shopId}/config',
    'PUT /shops/{shopId}/config',
    'PUT /shops/{shopId}/open',
    'GET /shops',
  ],
});
