import { env } from '../config';
import type { ConnectPorts } from '../use-cases/ports';
import { defaultPorts } from '.';
import { buildTokens } from './tokens';

let ports: ConnectPorts | undefined;

/** The real adapters of `$connect`: the shared ones and the token verifier (jose). */
export const defaultConnectPorts = (): ConnectPorts => {
  const e = env();
  ports ??= {
    ...defaultPorts(),
    tokens: buildTokens({ issuerUrl: e.ISSUER_URL, audience: e.JWT_AUDIENCE }),
  };
  return ports;
};
