import { envReader } from '@espresso/runtime';
import * as z from 'zod';

const EnvSchema = z.object({
  CONNECTIONS_TABLE: z.string().min(1),
  /** The user pool's issuer URL; its JWKS is `${ISSUER_URL}/.well-known/jwks.json`. */
  ISSUER_URL: z.url(),
  /** The app client id: the ID tokens' audience. */
  JWT_AUDIENCE: z.string().min(1),
  /** `https://{apiId}.execute-api.{region}.amazonaws.com/{stage}`: the @connections API. */
  CONNECTIONS_ENDPOINT: z.url(),
  DEAD_LETTER_QUEUE_URL: z.url(),
  /**
   * Locally the management API is serverless offline's WebSocket server; the local stack says
   * where with the AWS SDK's standard service endpoint variable, which wins here as it would
   * for a client with no explicit endpoint.
   */
  AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI: z.url().optional(),
});
export type Env = z.infer<typeof EnvSchema>;

/** This service's settings, parsed from the environment once; a missing one fails loudly. */
export const env: () => Env = envReader(EnvSchema);

/** Where PostToConnection goes: the local override, else this stage's API. */
export const connectionsEndpoint = (e: Env = env()): string =>
  e.AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI ?? e.CONNECTIONS_ENDPOINT;
