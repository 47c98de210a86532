import { SQSClient } from '@aws-sdk/client-sqs';
import type { ResolveContext, Template } from './cloudformation';
import { startSqsServer } from './local-sqs/server';
import { restoreState, StateSaver } from './local-sqs/state-file';
import { QueueStore } from './local-sqs/store';
import { createQueuesFromTemplate, type LocalQueue } from './local-sqs/template';
import { localCredentials } from './util';

export type { LocalQueue } from './local-sqs/template';

export interface QueueDepth {
  name: string;
  url: string;
  /** Messages a receive would return now. */
  visible: number;
  /** Received and neither deleted nor back after their visibility timeout. */
  inFlight: number;
  /** Sent with a delay that has not passed yet. */
  delayed: number;
}

export interface LocalSqs {
  /** `http://127.0.0.1:<port>`: queue URLs are `<endpoint>/<accountId>/<name>`. */
  endpoint: string;
  /** An SQSClient for this endpoint (destroyed by `stop`). */
  client: SQSClient;
  /**
   * Creates the template's `AWS::SQS::Queue`s, dead-letter queues before the queues that
   * redrive to them. A queue that exists keeps its messages; its attributes follow the template.
   */
  createQueuesFromTemplate(template: Template, ctx: ResolveContext): Promise<LocalQueue[]>;
  depths(): Promise<QueueDepth[]>;
  /** Stops the server and, with a `stateFile`, saves the queues and their messages. */
  stop(): Promise<void>;
}

const depthsOf = (store: QueueStore): QueueDepth[] =>
  store
    .list()
    .map((queue) => ({ name: queue.name, url: store.urlOf(queue.name), ...queue.counts() }))
    .sort((a, b) => a.name.localeCompare(b.name));

/**
 * SQS on 127.0.0.1, for the real `@aws-sdk/client-sqs` (JSON protocol), emulated in
 * `local-sqs/`: standard and FIFO queues, batches, visibility timeouts, delays, long polls,
 * redrive to dead-letter queues, the errors SQS answers. Queue URLs are
 * `http://127.0.0.1:<port>/<accountId>/<name>` (found by account and name whatever host the
 * client used) and ARNs `arn:aws:sqs:<region>:<accountId>:<name>`, what `Ref` and
 * `Fn::GetAtt` give in context.ts. A long poll whose client went away (an aborted receive)
 * ends without taking messages. With `stateFile`, queues and messages survive a restart
 * (in-flight ones come back visible).
 */
export const startLocalSqs = async (options: {
  port: number;
  region: string;
  accountId: string;
  /** JSON file the queues and their messages are saved to and restored from. */
  stateFile?: string;
  /** How often changes are saved to `stateFile` (also saved on `stop`). */
  saveIntervalMs?: number;
}): Promise<LocalSqs> => {
  const { port, region, accountId, stateFile } = options;
  const endpoint = `http://127.0.0.1:${port}`;
  const store = new QueueStore(endpoint, region, accountId);
  if (stateFile) await restoreState(store, stateFile);
  const server = await startSqsServer(store, port);
  const saver = stateFile
    ? new StateSaver(store, stateFile, options.saveIntervalMs ?? 2000)
    : undefined;
  const client = new SQSClient({ endpoint, region, credentials: localCredentials });

  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    client,
    createQueuesFromTemplate: (template, ctx) =>
      createQueuesFromTemplate(store, client, template, ctx),
    depths: async () => depthsOf(store),
    stop: () => {
      stopping ??= (async () => {
        client.destroy();
        await server.close();
        await saver?.stop();
      })();
      return stopping;
    },
  };
};
