import { randomUUID } from 'node:crypto';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SendTaskSuccessCommand,
  type SFNClient,
  StartSyncExecutionCommand,
} from '@aws-sdk/client-sfn';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { buildEventEntry, type JourneyStep, type OrderItem } from '@espresso/schemas';
import type { Change } from '../domain/transitions';
import { orderKey, orderStatusKey, StoredOrderSchema } from './orderKeys';

export type ManagerResult = { ok: true; item: OrderItem } | { ok: false; conflict: true };

export interface Workflows {
  /** Runs the OrderManager (Express) synchronously for one planned change. */
  applyChange(order: OrderItem, change: Change, now: string): Promise<ManagerResult>;
  /** Resumes a waiting OrderProcessor phase (used when the order moved before its token was kept). */
  resume(token: string, output: unknown): Promise<void>;
  /** The OrderProcessor execution's status and its states entered and exited, in order. */
  journey(executionArn: string): Promise<{ status: string; steps: JourneyStep[] }>;
}

/** Pairs each state's entered and exited events of an execution history into steps. */
export const stepsOf = (events: HistoryEvent[]): JourneyStep[] => {
  const steps: JourneyStep[] = [];
  const open = new Map<string, JourneyStep>();
  for (const event of events) {
    const at = event.timestamp ? new Date(event.timestamp).toISOString() : undefined;
    if (!at) continue;
    if (event.stateEnteredEventDetails?.name) {
      const step: JourneyStep = { name: event.stateEnteredEventDetails.name, enteredAt: at };
      steps.push(step);
      open.set(step.name, step);
    } else if (event.stateExitedEventDetails?.name) {
      const step = open.get(event.stateExitedEventDetails.name);
      if (step) {
        step.exitedAt = at;
        open.delete(step.name);
      }
    }
  }
  return steps;
};

export const buildWorkflows = (
  client: SFNClient,
  names: { orderManagerArn: string; busName: string },
): Workflows => ({
  async applyChange(order, change, now) {
    // The change's own id: the OrderManager's Retry of an update that DynamoDB applied but whose
    // answer was lost finds it applied (`OR #lastChangeId = :lastChangeId`) instead of a
    // conflict, and goes on to the event and the resume.
    const set: Record<string, unknown> = {
      ...change.set,
      status: change.to,
      updatedAt: now,
      lastChangeId: randomUUID(),
      ...orderStatusKey(
        order.shopId,
        change.to,
        change.set.submittedAt ?? order.submittedAt ?? order.createdAt,
        order.orderId,
      ),
    };
    const fields = Object.keys(set);
    const removes = change.remove.map(String);
    const update = {
      Key: marshall(orderKey(order.shopId, order.orderId)),
      UpdateExpression: [
        `SET ${fields.map((f) => `#${f} = :${f}`).join(', ')}`,
        ...(removes.length ? [`REMOVE ${removes.map((f) => `#${f}`).join(', ')}`] : []),
      ].join(' '),
      ConditionExpression: '#status = :expected OR #lastChangeId = :lastChangeId',
      ExpressionAttributeNames: Object.fromEntries(
        [...fields, ...removes, 'status'].map((f) => [`#${f}`, f]),
      ),
      ExpressionAttributeValues: marshall(
        { ...Object.fromEntries(fields.map((f) => [`:${f}`, set[f]])), ':expected': change.from },
        { removeUndefinedValues: true },
      ),
    };
    const entry = buildEventEntry(
      change.event.detailType,
      change.event.detail as never,
      names.busName,
    );
    const result = await client.send(
      new StartSyncExecutionCommand({
        stateMachineArn: names.orderManagerArn,
        input: JSON.stringify({
          update,
          event: { Source: entry.Source, DetailType: entry.DetailType, Detail: entry.Detail },
          resume: change.resume ?? { phase: 'NONE' },
        }),
      }),
    );
    if (result.status === 'SUCCEEDED') {
      const output = JSON.parse(result.output ?? '{}') as { item: Record<string, never> };
      return { ok: true, item: StoredOrderSchema.parse(unmarshall(output.item)) };
    }
    if (result.status === 'FAILED' && result.error === 'OrderConflict')
      return { ok: false, conflict: true };
    throw new Error(`OrderManager ${result.status}: ${result.error} ${result.cause}`);
  },

  async resume(token, output) {
    await client.send(
      new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }),
    );
  },

  async journey(executionArn) {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new GetExecutionHistoryCommand({
          executionArn,
          maxResults: 1000,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    const { status } = await client.send(new DescribeExecutionCommand({ executionArn }));
    return { status: String(status), steps: stepsOf(events) };
  },
});
