import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { launchProcess, type Stoppable } from './child-process';
import { type ResolveContext, resolve, resourcesOfType, type Template } from './cloudformation';
import { localCredentials, waitFor } from './util';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/** The folder of AWS's DynamoDB Local jar, shipped inside the amplify-dynamodb-simulator package. */
const emulatorDir = () =>
  path.join(path.dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');

let javaChecked: Promise<string> | undefined;

/**
 * Java 17+ runs DynamoDB Local; say so plainly when it is missing or too old. Asked once a
 * process (`java -version` starts a JVM: a third of a second of CPU); a failed check is asked again.
 */
export const checkJava = (): Promise<string> => {
  javaChecked ??= askJava().catch((error: unknown) => {
    javaChecked = undefined;
    throw error;
  });
  return javaChecked;
};

const askJava = async (): Promise<string> => {
  let output: string;
  try {
    const { stderr, stdout } = await run('java', ['-version']);
    output = `${stderr}${stdout}`;
  } catch {
    throw new Error(
      'Java 17 or newer is required to run DynamoDB Local, and `java` was not found on PATH. ' +
        'Install a JDK/JRE 17+ (e.g. `apt-get install -y openjdk-17-jre-headless`) and try again.',
    );
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  const major = match ? Number(match[1] === '1' ? match[2] : match[1]) : 0;
  if (major < 17) {
    throw new Error(
      `Java 17 or newer is required to run DynamoDB Local; found: ${output.split('\n')[0]}`,
    );
  }
  return output.split('\n')[0] ?? '';
};

export interface DynamoDbLocal extends Stoppable {
  endpoint: string;
  client: DynamoDBClient;
}

/**
 * DynamoDB Local's command line: data in `dbPath`, or in memory.
 *
 * The JVM compiles with C1 only (`-XX:TieredStopAtLevel=1`) and collects with the serial
 * collector: C2's compiler threads cost more CPU than its faster code gives back in a stack's
 * lifetime (minutes to hours of light traffic on 2 cores). Measured on this machine (2 cores),
 * interleaved, a mix of conditional puts, gets, queries, updates and transactions: 0.89 CPU ms
 * a request against 1.70 with the defaults, start-up 2.9 s of CPU against 5.3 s
 * (packages/bench/README.md, "Levers").
 */
const dynamoDbLocalArgs = (port: number, dbPath: string | undefined) => [
  '-XX:TieredStopAtLevel=1',
  '-XX:+UseSerialGC',
  '-Xmx512m',
  '-Djava.library.path=./DynamoDBLocal_lib',
  '-jar',
  'DynamoDBLocal.jar',
  '-port',
  String(port),
  ...(dbPath ? ['-dbPath', dbPath] : ['-inMemory']),
  '-sharedDb',
  '-disableTelemetry',
];

/** DynamoDB Local launched, answering once `ready` resolves. */
export interface LaunchedDynamoDbLocal extends DynamoDbLocal {
  /** Resolves once it answers ListTables; rejects (the process killed) when it exits or stalls first. */
  ready: Promise<void>;
}

/**
 * Starts AWS's DynamoDB Local on 127.0.0.1:`port`, data on disk in `dbPath` (kept across
 * restarts) or in memory when `dbPath` is undefined; resolves once it answers ListTables.
 */
export const startDynamoDbLocal = async (options: {
  port: number;
  dbPath: string | undefined;
}): Promise<DynamoDbLocal> => {
  const { ready, ...dynamodb } = await launchDynamoDbLocal(options);
  await ready;
  return dynamodb;
};

/**
 * Launches DynamoDB Local as `startDynamoDbLocal` does, resolving once the JVM is started rather
 * than once it answers, so that the stack starts what does not need it meanwhile.
 */
export const launchDynamoDbLocal = async (options: {
  port: number;
  dbPath: string | undefined;
}): Promise<LaunchedDynamoDbLocal> => {
  await checkJava();
  const java = launchProcess({
    name: 'DynamoDB Local',
    command: 'java',
    args: dynamoDbLocalArgs(options.port, options.dbPath),
    cwd: emulatorDir(),
  });
  const endpoint = `http://127.0.0.1:${options.port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: localCredentials,
  });
  const ready = Promise.race([
    java.exited,
    waitFor(async () => {
      await client.send(new ListTablesCommand({}));
    }, 30_000),
  ]).catch((error: unknown) => {
    java.child.kill('SIGKILL');
    client.destroy();
    throw error;
  });
  ready.catch(() => undefined); // handled by whoever awaits it
  return {
    ready,
    endpoint,
    client,
    stop: () => {
      client.destroy();
      return java.stop();
    },
  };
};

/** CreateTable inputs for a template's `AWS::DynamoDB::Table` resources. */
export const tablesFromTemplate = (template: Template, ctx: ResolveContext) =>
  resourcesOfType(template, 'AWS::DynamoDB::Table').map(({ logicalId, properties }) => {
    const p = resolve(properties, ctx) as Record<string, unknown>;
    const input: CreateTableCommandInput = {
      // Without a TableName, `Ref` (and so the local name) is the logical id.
      TableName: String(p.TableName ?? ctx.refs[logicalId] ?? logicalId),
      AttributeDefinitions:
        p.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
      KeySchema: p.KeySchema as CreateTableCommandInput['KeySchema'],
      BillingMode: 'PAY_PER_REQUEST',
      ...(p.GlobalSecondaryIndexes
        ? {
            GlobalSecondaryIndexes: (p.GlobalSecondaryIndexes as Record<string, unknown>[]).map(
              ({ ProvisionedThroughput, ContributorInsightsSpecification, ...index }) => index,
            ),
          }
        : {}),
      ...(p.LocalSecondaryIndexes ? { LocalSecondaryIndexes: p.LocalSecondaryIndexes } : {}),
      ...(p.StreamSpecification
        ? { StreamSpecification: { StreamEnabled: true, ...(p.StreamSpecification as object) } }
        : {}),
    } as CreateTableCommandInput;
    const ttl = p.TimeToLiveSpecification as
      | { AttributeName?: string; Enabled?: boolean }
      | undefined;
    return { input, ttlAttribute: ttl?.Enabled ? ttl.AttributeName : undefined };
  });

/**
 * A table kept on disk from before its template asked for a stream gets one, so stream
 * consumers added since work without wiping `.local/`.
 */
const enableStream = async (client: DynamoDBClient, input: CreateTableCommandInput) => {
  if (!input.StreamSpecification) return;
  const { Table } = await client.send(new DescribeTableCommand({ TableName: input.TableName }));
  if (Table?.StreamSpecification?.StreamEnabled) return;
  await client.send(
    new UpdateTableCommand({
      TableName: input.TableName,
      StreamSpecification: input.StreamSpecification,
    }),
  );
};

/**
 * Creates the tables a template declares; existing tables (kept on disk) are left as they are,
 * but for a stream the template added.
 */
export const createTables = async (
  client: DynamoDBClient,
  template: Template,
  ctx: ResolveContext,
): Promise<string[]> => {
  const names: string[] = [];
  for (const { input, ttlAttribute } of tablesFromTemplate(template, ctx)) {
    names.push(String(input.TableName));
    try {
      await client.send(new CreateTableCommand(input));
      if (ttlAttribute) {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: input.TableName,
            TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true },
          }),
        );
      }
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
      await enableStream(client, input);
    }
  }
  return names;
};
