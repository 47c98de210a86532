import path from 'node:path';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_ACCOUNT_ID } from '../cloudformation';
import {
  type StreamPollers,
  startStreamPollers,
  streamMappingsFromTemplate,
} from '../dynamodb-streams';
import {
  type EventSourceMappings,
  mappingsFromTemplate,
  startEventSourceMappings,
} from '../event-source-mappings';
import { createRuleRouter, type RuleRouter, rulesFromTemplate } from '../rules';
import { type LocalAws, localClientConfig, type StackParts } from './aws';

/** The local URL of the queue with this ARN (rule targets, stream on-failure queues). */
const queueUrlOf = (aws: LocalAws) => (arn: string) =>
  `${aws.sqs.endpoint}/${LOCAL_ACCOUNT_ID}/${arn.split(':').pop()}`;

/** The EventBridge rules of every template, routing each event the bus takes to their targets. */
const startRules = ({ plan, packaged, aws, stoppers }: StackParts) => {
  const rules = createRuleRouter({
    invokeLambda: aws.invokeLambda,
    sqs: aws.sqs.client,
    sfn: new SFNClient({ ...localClientConfig(aws.sfn.endpoint), disableHostPrefix: true }),
    queueUrlOf: queueUrlOf(aws),
    log: plan.log,
  });
  for (const { template, ctx } of packaged) rules.add(rulesFromTemplate(template, ctx));
  const unsubscribe = aws.eventBridge.subscribe((event) => rules.route(event));
  stoppers.add(async () => unsubscribe());
  return rules;
};

/**
 * The SQS → Lambda mappings. Their pollers talk to SQS like Lambda's do: through `interpose` when
 * one is given (a fault proxy can lose their deletes, and the message comes back after its
 * visibility timeout).
 */
const startQueuePollers = async ({ plan, packaged, aws, stoppers }: StackParts) => {
  const sqs =
    aws.called.sqs === aws.sqs.endpoint
      ? aws.sqs.client
      : new SQSClient(localClientConfig(aws.called.sqs));
  if (sqs !== aws.sqs.client) stoppers.add(async () => sqs.destroy());
  const mappings = await startEventSourceMappings({
    sqs,
    mappings: packaged.flatMap(({ template, ctx }) =>
      mappingsFromTemplate(template, ctx, aws.called.sqs),
    ),
    invoke: aws.invokeLambda,
    log: plan.log,
  });
  stoppers.add(mappings.stop);
  return mappings;
};

/** The DynamoDB stream → Lambda mappings, their checkpoints kept in the state folder. */
const startTableStreamPollers = async ({ plan, packaged, aws, stoppers }: StackParts) => {
  const streams = new DynamoDBStreamsClient(localClientConfig(aws.dynamodb.endpoint));
  const pollers = await startStreamPollers({
    dynamodb: aws.dynamodb.client,
    streams,
    sqs: aws.sqs.client,
    queueUrlOf: queueUrlOf(aws),
    mappings: packaged.flatMap(({ template, ctx }) => streamMappingsFromTemplate(template, ctx)),
    invoke: aws.invokeLambda,
    ...(plan.persist ? { checkpointFile: path.join(plan.stateDir, 'streams.json') } : {}),
    log: plan.log,
  });
  stoppers.add(async () => {
    await pollers.stop();
    streams.destroy();
  });
  return pollers;
};

/** What starts functions besides their APIs: EventBridge rules, queue and stream pollers. */
export interface Triggers {
  rules: RuleRouter;
  mappings: EventSourceMappings;
  streamPollers: StreamPollers;
}

/**
 * Wires the triggers once every function can be invoked: rules, queue and stream pollers. On
 * the way down, executions stop where they are (kept RUNNING in the state folder) before the
 * functions go away.
 */
export const wireTriggers = async (parts: StackParts): Promise<Triggers> => {
  parts.stoppers.add(parts.aws.sfn.suspend);
  const rules = startRules(parts);
  const mappings = await startQueuePollers(parts);
  const streamPollers = await startTableStreamPollers(parts);
  parts.plan.progress(`${rules.rules().length} rules and the queue pollers`);
  return { rules, mappings, streamPollers };
};
