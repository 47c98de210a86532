import { type Identity, identityFromClaims } from '@espresso/schemas';
import { createRemoteJWKSet, jwtVerify } from 'jose';

export interface Tokens {
  /** The identity of a valid ID token of the pool, or undefined for anything else. */
  verify(token: string): Promise<Identity | undefined>;
}

const INVALID_TOKEN = new Set([
  'ERR_JWT_EXPIRED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_INVALID',
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
]);

/**
 * Verifies Cognito ID tokens (locally, the local issuer's) as API Gateway's JWT authorizer
 * would: RS256 signature against the pool's JWKS (fetched once and cached per container),
 * issuer, audience (the app client) and expiry.
 */
export const buildTokens = (options: { issuerUrl: string; audience: string }): Tokens => {
  const jwks = createRemoteJWKSet(new URL(`${options.issuerUrl}/.well-known/jwks.json`));
  return {
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, jwks, {
          issuer: options.issuerUrl,
          audience: options.audience,
          algorithms: ['RS256'],
        });
        if (payload.token_use !== undefined && payload.token_use !== 'id') return undefined;
        return identityFromClaims(payload);
      } catch (error) {
        // A bad token is a refusal; an unreachable JWKS is a failure of ours, not the client's.
        const code = (error as { code?: string }).code ?? '';
        if (INVALID_TOKEN.has(code)) return undefined;
        throw error;
      }
    },
  };
};
