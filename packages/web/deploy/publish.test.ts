import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { PutObjectCommand, type PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import { WebConfigSchema } from '@espresso/schemas';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { expect } from 'chai';
import { afterEach, beforeEach, describe, it } from 'mocha';
import { cognitoHostedUi } from '../src/auth';
import {
  cacheControlOf,
  contentTypeOf,
  IMMUTABLE,
  publishWebApp,
  REVALIDATE,
  readStageOutputs,
  type StageOutputs,
  stackName,
  WEB_SERVICES,
  webConfigFromOutputs,
} from './publish';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

const STAGE = 'dev';
const WEB_URL = 'https://d111111abcdef8.cloudfront.net/';
const HOSTED_UI = 'https://espresso-dev-123456789012.auth.eu-west-1.amazoncognito.com';

/** The outputs of a deployed stage, as DescribeStacks lists them (shapes from the templates). */
const STACK_OUTPUTS: Record<string, Record<string, string>> = {
  'espresso-config-dev': {
    HttpApiUrl: 'https://cfg123.execute-api.eu-west-1.amazonaws.com',
    UserPoolId: 'eu-west-1_AbCdEf',
    UserPoolClientId: '4abc5defghij6klmno7pqrstu',
    IssuerUrl: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf',
    UserPoolDomain: 'espresso-dev-123456789012',
    HostedUiUrl: HOSTED_UI,
    WebUrl: WEB_URL,
    WebBucketName: 'espresso-config-dev-webbucket-1a2b3c4d5e6f',
    WebDistributionId: 'E2QWRUHEXAMPLE',
  },
  'espresso-orders-dev': {
    HttpApiUrl: 'https://ord123.execute-api.eu-west-1.amazonaws.com',
    OrderProcessorArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:espresso-orders-dev-x',
  },
  'espresso-metrics-dev': { HttpApiUrl: 'https://met123.execute-api.eu-west-1.amazonaws.com' },
  'espresso-publisher-dev': {
    WebSocketUrl: 'wss://ws123.execute-api.eu-west-1.amazonaws.com/dev',
  },
};

const EXPECTED_CONFIG = {
  stage: 'dev',
  api: {
    config: 'https://cfg123.execute-api.eu-west-1.amazonaws.com',
    orders: 'https://ord123.execute-api.eu-west-1.amazonaws.com',
    metrics: 'https://met123.execute-api.eu-west-1.amazonaws.com',
  },
  websocketUrl: 'wss://ws123.execute-api.eu-west-1.amazonaws.com/dev',
  auth: {
    kind: 'cognito',
    domain: HOSTED_UI,
    issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf',
    clientId: '4abc5defghij6klmno7pqrstu',
  },
};

/** CloudFormation's answer for a stack that is not there. */
const noSuchStack = (name: string) =>
  new CloudFormationServiceException({
    name: 'ValidationError',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: `Stack with id ${name} does not exist`,
  });

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('web:publish', () => {
  let cfn: AwsClientStub<CloudFormationClient>;
  let s3: AwsClientStub<S3Client>;
  let cloudFront: AwsClientStub<CloudFrontClient>;
  let dist: string;
  const clients = () => ({
    cloudFormation: new CloudFormationClient({ region: 'eu-west-1', credentials }),
    s3: new S3Client({ region: 'eu-west-1', credentials }),
    cloudFront: new CloudFrontClient({ region: 'us-east-1', credentials }),
  });

  /** Stubs DescribeStacks with `stacks` (stack name → outputs); any other stack does not exist. */
  const deployed = (stacks: Record<string, Record<string, string>>) => {
    cfn.on(DescribeStacksCommand).callsFake(async ({ StackName }) => {
      const outputs = stacks[String(StackName)];
      if (!outputs) throw noSuchStack(String(StackName));
      return {
        Stacks: [
          {
            StackName,
            StackStatus: 'UPDATE_COMPLETE',
            CreationTime: new Date(),
            Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({
              OutputKey,
              OutputValue,
            })),
          },
        ],
      };
    });
  };

  // aws-sdk-client-mock brings its own sinon; each stub is made and restored per test.
  beforeEach(async () => {
    cfn = mockClient(CloudFormationClient);
    s3 = mockClient(S3Client);
    cloudFront = mockClient(CloudFrontClient);
    s3.on(PutObjectCommand).resolves({});
    cloudFront
      .on(CreateInvalidationCommand)
      .resolves({ Invalidation: { Id: 'I2J0EXAMPLE' } as never });
    dist = await mkdtemp(path.join(os.tmpdir(), 'web-publish-'));
    // What `vite build` writes (names as Vite hashes them), plus a public/ file and a stray
    // config.json a developer's git-ignored public/config.json would put there.
    await mkdir(path.join(dist, 'assets'));
    const files: Record<string, string> = {
      'index.html':
        '<!doctype html><script type="module" src="/assets/index-DVBNdJlG.js"></script>',
      'assets/index-DVBNdJlG.js': 'console.log(1)',
      'assets/index-DVBNdJlG.js.map': '{}',
      'assets/chart-DQXEX8V_.js': 'export {}',
      'assets/index-Bv38Lira.css': 'body{}',
      'favicon.svg': '<svg/>',
      'config.json': '{"stage":"local"}',
    };
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dist, name), text);
  });
  afterEach(async () => {
    cfn.restore();
    s3.restore();
    cloudFront.restore();
    await rm(dist, { recursive: true, force: true });
  });

  describe('config.json from the stage’s outputs', () => {
    it('names the stacks as the framework does: <service in serverless.yml>-<stage>', async () => {
      const compose = await readFile(path.join(REPO_ROOT, 'serverless-compose.yml'), 'utf8');
      const composed = [...compose.matchAll(/^ {2}(\w[\w-]*):\s*$/gm)].map((m) => m[1]);
      expect(composed).to.have.members([...WEB_SERVICES]);
      for (const service of WEB_SERVICES) {
        const yml = await readFile(
          path.join(REPO_ROOT, 'services', service, 'serverless.yml'),
          'utf8',
        );
        const name = /^service:\s*(\S+)\s*$/m.exec(yml)?.[1];
        expect(stackName(service, 'dev'), service).to.equal(`${name}-dev`);
      }
    });

    it('reads every service’s stack, espresso-<service>-<stage>', async () => {
      deployed(STACK_OUTPUTS);
      const outputs = await readStageOutputs(clients().cloudFormation, STAGE);
      expect(
        cfn.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input.StackName),
      ).to.deep.equal([
        'espresso-config-dev',
        'espresso-orders-dev',
        'espresso-metrics-dev',
        'espresso-publisher-dev',
      ]);
      expect(outputs.config?.WebBucketName).to.equal('espresso-config-dev-webbucket-1a2b3c4d5e6f');
      expect(webConfigFromOutputs(STAGE, outputs)).to.deep.equal(EXPECTED_CONFIG);
    });

    it('leaves the dashboard and live pushes out when metrics and publisher are not deployed', async () => {
      deployed({
        'espresso-config-dev': STACK_OUTPUTS['espresso-config-dev'] ?? {},
        'espresso-orders-dev': STACK_OUTPUTS['espresso-orders-dev'] ?? {},
      });
      const config = webConfigFromOutputs(
        STAGE,
        await readStageOutputs(clients().cloudFormation, STAGE),
      );
      expect(config.api).to.deep.equal({
        config: EXPECTED_CONFIG.api.config,
        orders: EXPECTED_CONFIG.api.orders,
      });
      expect(config).not.to.have.property('websocketUrl');
    });

    it('passes on an error that is not a missing stack (no credentials, no permission)', async () => {
      const denied = new CloudFormationServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'User is not authorized to perform: cloudformation:DescribeStacks',
      });
      cfn.on(DescribeStacksCommand).rejects(denied);
      let error: unknown;
      await readStageOutputs(clients().cloudFormation, STAGE).catch((e) => {
        error = e;
      });
      expect(error).to.equal(denied);
    });

    const full = Object.fromEntries(
      ['config', 'orders', 'metrics', 'publisher'].map((s) => [
        s,
        STACK_OUTPUTS[`espresso-${s}-dev`],
      ]),
    ) as StageOutputs;
    [
      {
        name: 'a stage that is not deployed',
        outputs: {},
        message:
          'stack espresso-config-dev was not found: deploy the stage first (pnpm run deploy -- --stage dev)',
      },
      {
        name: 'a config stack deployed before the hosted UI existed',
        outputs: { ...full, config: { ...full.config, HostedUiUrl: '' } },
        message: 'stack espresso-config-dev has no output HostedUiUrl',
      },
      {
        name: 'no orders stack',
        outputs: { config: full.config },
        message: 'stack espresso-orders-dev was not found',
      },
      {
        name: 'an output the app’s schema refuses',
        outputs: { ...full, publisher: { WebSocketUrl: 'https://not-a-socket.example.com' } },
        message: 'config.json for dev is not valid: websocketUrl',
      },
    ].forEach((c) => {
      it(`refuses ${c.name}, saying what is missing`, () => {
        expect(() => webConfigFromOutputs(STAGE, c.outputs)).to.throw(c.message);
      });
    });

    it('gives the app hosted-UI URLs that come back to the app client’s callback URL (WebUrl)', async () => {
      // The template's CallbackURLs and the WebUrl output are both https://<distribution>/; the
      // app builds its redirect URI from the page's origin on that distribution.
      const config = webConfigFromOutputs(STAGE, full);
      if (config.auth.kind !== 'cognito') expect.fail('expected the hosted UI');
      const visited: string[] = [];
      let leave: (url: string) => void = () => undefined;
      const left = new Promise<string>((resolve) => {
        leave = resolve;
      });
      const adapter = cognitoHostedUi(config.auth, {
        storage: { getItem: () => null, setItem: () => undefined, removeItem: () => undefined },
        assign: (url) => {
          visited.push(url);
          leave(url);
        },
        origin: new URL(WEB_URL).origin,
        fetch: () => Promise.reject(new Error('no network in unit tests')),
      });
      void adapter.signIn({ role: 'customer', shopId: 'demo' });
      const authorize = new URL(await left);
      expect(`${authorize.origin}${authorize.pathname}`).to.equal(`${HOSTED_UI}/oauth2/authorize`);
      expect(authorize.searchParams.get('client_id')).to.equal('4abc5defghij6klmno7pqrstu');
      expect(authorize.searchParams.get('redirect_uri')).to.equal(WEB_URL);
      adapter.signOut();
      const logout = new URL(visited[1] ?? '');
      expect(`${logout.origin}${logout.pathname}`).to.equal(`${HOSTED_UI}/logout`);
      expect(logout.searchParams.get('logout_uri')).to.equal(WEB_URL);
    });
  });

  describe('files', () => {
    [
      { key: 'index.html', type: 'text/html; charset=utf-8', cache: REVALIDATE },
      { key: 'config.json', type: 'application/json; charset=utf-8', cache: REVALIDATE },
      { key: 'assets/index-DVBNdJlG.js', type: 'text/javascript; charset=utf-8', cache: IMMUTABLE },
      {
        key: 'assets/index-DVBNdJlG.js.map',
        type: 'application/json; charset=utf-8',
        cache: IMMUTABLE,
      },
      { key: 'assets/index-Bv38Lira.css', type: 'text/css; charset=utf-8', cache: IMMUTABLE },
      { key: 'assets/logo-a1B2c3D_.svg', type: 'image/svg+xml', cache: IMMUTABLE },
      { key: 'favicon.svg', type: 'image/svg+xml', cache: REVALIDATE },
      { key: 'robots.txt', type: 'text/plain; charset=utf-8', cache: REVALIDATE },
      { key: 'assets/unhashed.js', type: 'text/javascript; charset=utf-8', cache: REVALIDATE },
      { key: 'data.bin', type: 'application/octet-stream', cache: REVALIDATE },
    ].forEach((c) => {
      it(`serves ${c.key} as ${c.type}, ${c.cache}`, () => {
        expect(contentTypeOf(c.key)).to.equal(c.type);
        expect(cacheControlOf(c.key)).to.equal(c.cache);
      });
    });
  });

  describe('publishing', () => {
    const puts = () =>
      s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input as PutObjectCommandInput);

    it('uploads the build with the stage’s config.json, index.html last, and invalidates what keeps its name', async () => {
      deployed(STACK_OUTPUTS);
      const lines: string[] = [];
      const published = await publishWebApp({
        stage: STAGE,
        distDir: dist,
        clients: clients(),
        log: (line) => void lines.push(line),
        now: () => 1_764_000_000_000,
      });

      const put = puts();
      expect(new Set(put.map((p) => p.Bucket))).to.deep.equal(
        new Set(['espresso-config-dev-webbucket-1a2b3c4d5e6f']),
      );
      expect(put.map((p) => [p.Key, p.ContentType, p.CacheControl])).to.deep.equal([
        ['assets/chart-DQXEX8V_.js', 'text/javascript; charset=utf-8', IMMUTABLE],
        ['assets/index-Bv38Lira.css', 'text/css; charset=utf-8', IMMUTABLE],
        ['assets/index-DVBNdJlG.js', 'text/javascript; charset=utf-8', IMMUTABLE],
        ['assets/index-DVBNdJlG.js.map', 'application/json; charset=utf-8', IMMUTABLE],
        ['favicon.svg', 'image/svg+xml', REVALIDATE],
        ['config.json', 'application/json; charset=utf-8', REVALIDATE],
        ['index.html', 'text/html; charset=utf-8', REVALIDATE],
      ]);
      const body = (key: string) =>
        Buffer.from(put.find((p) => p.Key === key)?.Body as Uint8Array).toString('utf8');
      expect(body('assets/index-DVBNdJlG.js')).to.equal('console.log(1)');
      // The app reads config.json with this schema (src/config.ts): the stage's, not dist's.
      const written = WebConfigSchema.parse(JSON.parse(body('config.json')));
      expect(written).to.deep.equal(EXPECTED_CONFIG);
      expect(published.config).to.deep.equal(written);

      const [invalidation, ...more] = cloudFront.commandCalls(CreateInvalidationCommand);
      expect(more).to.have.length(0);
      expect(invalidation?.args[0].input).to.deep.equal({
        DistributionId: 'E2QWRUHEXAMPLE',
        InvalidationBatch: {
          CallerReference: 'web-publish-dev-1764000000000',
          Paths: { Quantity: 4, Items: ['/', '/favicon.svg', '/config.json', '/index.html'] },
        },
      });
      expect(published).to.deep.include({
        url: WEB_URL,
        bucket: 'espresso-config-dev-webbucket-1a2b3c4d5e6f',
        invalidationId: 'I2J0EXAMPLE',
      });
      expect(lines.at(-1)).to.contain('I2J0EXAMPLE');
    });

    it('puts every asset before config.json and index.html, even many at once', async () => {
      for (let i = 0; i < 30; i++) {
        await writeFile(path.join(dist, 'assets', `part${i}-abcdefg${i % 10}.js`), `// ${i}`);
      }
      deployed(STACK_OUTPUTS);
      await publishWebApp({ stage: STAGE, distDir: dist, clients: clients(), concurrency: 4 });
      const keys = puts().map((p) => p.Key);
      expect(keys).to.have.length(37);
      expect(keys.slice(-2)).to.deep.equal(['config.json', 'index.html']);
      expect(keys.indexOf('favicon.svg')).to.equal(34);
    });

    it('stops before index.html and the invalidation when an upload fails', async () => {
      deployed(STACK_OUTPUTS);
      s3.on(PutObjectCommand, { Key: 'assets/index-DVBNdJlG.js' }).rejects(new Error('SlowDown'));
      let error: unknown;
      await publishWebApp({ stage: STAGE, distDir: dist, clients: clients() }).catch((e) => {
        error = e;
      });
      expect((error as Error).message).to.equal('SlowDown');
      const keys = puts().map((p) => p.Key);
      expect(keys).not.to.include('index.html');
      expect(keys).not.to.include('config.json');
      expect(cloudFront.commandCalls(CreateInvalidationCommand)).to.have.length(0);
    });

    it('uploads nothing for a stage without the web hosting outputs, or without a build', async () => {
      const { WebBucketName: _, ...olderConfig } = STACK_OUTPUTS['espresso-config-dev'] ?? {};
      deployed({ ...STACK_OUTPUTS, 'espresso-config-dev': olderConfig });
      let error: unknown;
      await publishWebApp({ stage: STAGE, distDir: dist, clients: clients() }).catch((e) => {
        error = e;
      });
      expect((error as Error).message).to.contain('has no output WebBucketName');

      deployed(STACK_OUTPUTS);
      error = undefined;
      await rm(path.join(dist, 'index.html'));
      await publishWebApp({ stage: STAGE, distDir: dist, clients: clients() }).catch((e) => {
        error = e;
      });
      expect((error as Error).message).to.contain('has no index.html: build the app first');
      expect(puts()).to.have.length(0);
      expect(cloudFront.commandCalls(CreateInvalidationCommand)).to.have.length(0);
    });
  });
});
