/**
 * Publishes the built web app to a deployed stage: reads the stage's CloudFormation outputs,
 * writes `config.json` from them (checked with `WebConfigSchema`, the schema the app reads it
 * with), uploads `dist/` to the config service's web bucket with content types and cache
 * headers, and invalidates what CloudFront may hold of the files that keep their names.
 * `deploy/cli.ts` is the command (`pnpm web:publish --stage <stage>`); the AWS clients are passed
 * in, so the tests stub them.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type WebConfig, WebConfigSchema } from '@espresso/schemas';

/** The services whose outputs the app needs; metrics and publisher may be missing (no dashboard, polling). */
export const WEB_SERVICES = ['config', 'orders', 'metrics', 'publisher'] as const;
export type WebService = (typeof WEB_SERVICES)[number];

/** Each compose service deploys as the stack `<service name in serverless.yml>-<stage>`. */
export const stackName = (service: WebService, stage: string): string =>
  `espresso-${service}-${stage}`;

export type StageOutputs = Partial<Record<WebService, Record<string, string>>>;

const isMissingStack = (error: unknown): boolean =>
  error instanceof Error &&
  error.name === 'ValidationError' &&
  /does not exist/.test(error.message);

/**
 * The CloudFormation outputs of the stage's stacks (the values compose hands from service to
 * service). A stack that does not exist is left out; `webConfigFromOutputs` says what it needed.
 */
export const readStageOutputs = async (
  cloudFormation: CloudFormationClient,
  stage: string,
): Promise<StageOutputs> => {
  const outputs: StageOutputs = {};
  for (const service of WEB_SERVICES) {
    try {
      const { Stacks } = await cloudFormation.send(
        new DescribeStacksCommand({ StackName: stackName(service, stage) }),
      );
      const stack = Stacks?.[0];
      if (!stack) continue;
      outputs[service] = Object.fromEntries(
        (stack.Outputs ?? []).flatMap((o) =>
          o.OutputKey && o.OutputValue !== undefined ? [[o.OutputKey, o.OutputValue]] : [],
        ),
      );
    } catch (error) {
      if (!isMissingStack(error)) throw error;
    }
  }
  return outputs;
};

/**
 * `/config.json` for a deployed stage. Sign-in is the config service's hosted UI with its app
 * client; the app sends the browser back to its own origin + `/` (the app client's callback URL
 * on the stage's CloudFront distribution), so no redirect URI is written.
 */
export const webConfigFromOutputs = (stage: string, outputs: StageOutputs): WebConfig => {
  const need = (service: WebService, output: string): string => {
    const stack = outputs[service];
    if (!stack) {
      throw new Error(
        `stack ${stackName(service, stage)} was not found: deploy the stage first (pnpm run deploy -- --stage ${stage})`,
      );
    }
    const value = stack[output];
    if (!value) {
      throw new Error(
        `stack ${stackName(service, stage)} has no output ${output}: redeploy ${service} (pnpm exec serverless ${service}:deploy --stage ${stage})`,
      );
    }
    return value;
  };
  const metrics = outputs.metrics?.HttpApiUrl;
  const websocketUrl = outputs.publisher?.WebSocketUrl;
  const parsed = WebConfigSchema.safeParse({
    stage,
    api: {
      config: need('config', 'HttpApiUrl'),
      orders: need('orders', 'HttpApiUrl'),
      ...(metrics ? { metrics } : {}),
    },
    ...(websocketUrl ? { websocketUrl } : {}),
    auth: {
      kind: 'cognito',
      domain: need('config', 'HostedUiUrl'),
      issuer: need('config', 'IssuerUrl'),
      clientId: need('config', 'UserPoolClientId'),
    },
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `config.json for ${stage} is not valid: ${issue?.path.join('.')} ${issue?.message}`,
    );
  }
  return parsed.data;
};

/** Where the app is served from and signs in: the config service's outputs. */
export const hostingFromOutputs = (
  stage: string,
  outputs: StageOutputs,
): { bucket: string; distributionId: string; url: string } => {
  const config = outputs.config ?? {};
  const missing = ['WebBucketName', 'WebDistributionId', 'WebUrl'].filter((k) => !config[k]);
  if (missing.length > 0) {
    throw new Error(
      `stack ${stackName('config', stage)} has no output ${missing.join(', ')}: redeploy config (pnpm exec serverless config:deploy --stage ${stage})`,
    );
  }
  return {
    bucket: String(config.WebBucketName),
    distributionId: String(config.WebDistributionId),
    url: String(config.WebUrl),
  };
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

export const contentTypeOf = (key: string): string =>
  CONTENT_TYPES[path.extname(key).toLowerCase()] ?? 'application/octet-stream';

/** Vite's output under `assets/` carries a content hash in its name (`index-DVBNdJlG.js`, its `.map`). */
const HASHED = /^assets\/.+-[\w-]{8,}\.[\w.]+$/;
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Revalidated on every use (CloudFront and browsers): a publish shows at once. */
export const REVALIDATE = 'no-cache';

export const cacheControlOf = (key: string): string => (HASHED.test(key) ? IMMUTABLE : REVALIDATE);

/**
 * The order of putting: hashed assets (0), the other files (1), `config.json` (2), and
 * `index.html` last (3) — a visitor never loads a page whose scripts or config are not there yet.
 */
export const uploadGroup = (key: string): number =>
  key === 'index.html' ? 3 : key === 'config.json' ? 2 : HASHED.test(key) ? 0 : 1;

export interface Upload {
  key: string;
  body: Uint8Array;
  contentType: string;
  cacheControl: string;
}

const filesUnder = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
};

/**
 * What to put in the bucket, in the order to put it (`uploadGroup`). A `config.json` in `dist/`
 * (copied from a git-ignored `public/`) is not uploaded: the stage's own is.
 */
export const planUploads = async (distDir: string, config: WebConfig): Promise<Upload[]> => {
  const keys = await filesUnder(distDir);
  if (!keys.includes('index.html')) {
    throw new Error(
      `${distDir} has no index.html: build the app first (pnpm --filter @espresso/web build)`,
    );
  }
  const files = await Promise.all(
    keys
      .filter((key) => key !== 'config.json')
      .map(async (key) => ({ key, body: new Uint8Array(await readFile(path.join(distDir, key))) })),
  );
  const configFile = {
    key: 'config.json',
    body: new TextEncoder().encode(`${JSON.stringify(config, null, 2)}\n`),
  };
  return [...files, configFile]
    .map((f) => ({ ...f, contentType: contentTypeOf(f.key), cacheControl: cacheControlOf(f.key) }))
    .sort((a, b) => uploadGroup(a.key) - uploadGroup(b.key) || a.key.localeCompare(b.key));
};

/** The paths CloudFront may have cached under names a publish reuses (`/` is `index.html`). */
export const invalidationPaths = (uploads: Upload[]): string[] => {
  const paths = uploads.filter((u) => u.cacheControl !== IMMUTABLE).map((u) => `/${u.key}`);
  return paths.includes('/index.html') ? ['/', ...paths] : paths;
};

export interface PublishClients {
  cloudFormation: CloudFormationClient;
  s3: S3Client;
  cloudFront: CloudFrontClient;
}

export const awsClients = (region: string): PublishClients => ({
  cloudFormation: new CloudFormationClient({ region }),
  s3: new S3Client({ region }),
  // CloudFront is global; its API lives in us-east-1.
  cloudFront: new CloudFrontClient({ region: 'us-east-1' }),
});

export interface PublishOptions {
  stage: string;
  distDir: string;
  clients: PublishClients;
  log?: (line: string) => void;
  /** Puts at most this many objects at once (default 8). */
  concurrency?: number;
  /** Makes the invalidation's caller reference (default: the time). */
  now?: () => number;
}

export interface Published {
  url: string;
  bucket: string;
  config: WebConfig;
  uploaded: string[];
  invalidationId: string | undefined;
}

const putAll = async (
  s3: S3Client,
  bucket: string,
  uploads: Upload[],
  concurrency: number,
): Promise<void> => {
  let next = 0;
  const worker = async () => {
    while (next < uploads.length) {
      const upload = uploads[next++] as Upload;
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: upload.key,
          Body: upload.body,
          ContentType: upload.contentType,
          CacheControl: upload.cacheControl,
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, uploads.length) }, worker));
};

export const publishWebApp = async ({
  stage,
  distDir,
  clients,
  log = () => undefined,
  concurrency = 8,
  now = Date.now,
}: PublishOptions): Promise<Published> => {
  const outputs = await readStageOutputs(clients.cloudFormation, stage);
  const config = webConfigFromOutputs(stage, outputs);
  const hosting = hostingFromOutputs(stage, outputs);
  log(`config.json: ${JSON.stringify(config)}`);
  const uploads = await planUploads(distDir, config);
  // Each group is in the bucket before the next one starts.
  for (const group of [0, 1, 2, 3]) {
    const batch = uploads.filter((u) => uploadGroup(u.key) === group);
    await putAll(clients.s3, hosting.bucket, batch, concurrency);
  }
  log(`uploaded ${uploads.length} files to s3://${hosting.bucket}`);
  const paths = invalidationPaths(uploads);
  const { Invalidation } = await clients.cloudFront.send(
    new CreateInvalidationCommand({
      DistributionId: hosting.distributionId,
      InvalidationBatch: {
        CallerReference: `web-publish-${stage}-${now()}`,
        Paths: { Quantity: paths.length, Items: paths },
      },
    }),
  );
  log(`invalidating ${paths.join(' ')} on ${hosting.distributionId} (${Invalidation?.Id ?? '?'})`);
  return {
    url: hosting.url,
    bucket: hosting.bucket,
    config,
    uploaded: uploads.map((u) => u.key),
    invalidationId: Invalidation?.Id,
  };
};
