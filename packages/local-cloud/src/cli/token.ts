/**
 * `pnpm -s token --role <customer|barista|admin|display> --shop <shopId> [--sub <id>] [--expires-in <s>]`
 * Prints one line: a bearer token from the local issuer, for the running stack's issuer
 * (from .local/endpoints.json) or the default one of `pnpm start`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { issuerFor, loadOrCreateKeys, mintToken } from '../identity';
import { AWS_PORTS, DEFAULT_STATE_DIR, type Endpoints } from '../stack';

const { values } = parseArgs({
  options: {
    role: { type: 'string', default: 'customer' },
    shop: { type: 'string' },
    sub: { type: 'string' },
    'expires-in': { type: 'string' },
  },
});

const issuer = await readFile(path.join(DEFAULT_STATE_DIR, 'endpoints.json'), 'utf8')
  .then((text) => (JSON.parse(text) as Endpoints).identity.issuer)
  .catch(() => issuerFor(AWS_PORTS.identity));

try {
  const keys = await loadOrCreateKeys(DEFAULT_STATE_DIR);
  const token = await mintToken(keys, issuer, {
    role: values.role as 'customer',
    ...(values.shop ? { shopId: values.shop } : {}),
    ...(values.sub ? { sub: values.sub } : {}),
    ...(values['expires-in'] ? { expiresIn: Number(values['expires-in']) } : {}),
  });
  process.stdout.write(`${token}\n`);
} catch (error) {
  const issue = (error as { issues?: { path: PropertyKey[]; message: string }[] }).issues?.[0];
  console.error(issue ? `${issue.path.join('.')}: ${issue.message}` : (error as Error).message);
  process.exit(2);
}
