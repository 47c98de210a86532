import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** How many write requests a DynamoDB command is (a batch or transaction: one per item). */
export const writeRequestsOf = (commandName: string, input: unknown): number => {
  const command = commandName.replace(/Command$/, '');
  switch (command) {
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
    case 'Put':
    case 'Update':
    case 'Delete':
      return 1;
    case 'BatchWriteItem':
    case 'BatchWrite': {
      const items = (input as { RequestItems?: Record<string, unknown[]> }).RequestItems ?? {};
      return Object.values(items).reduce((n, list) => n + list.length, 0);
    }
    case 'TransactWriteItems':
    case 'TransactWrite':
      return ((input as { TransactItems?: unknown[] }).TransactItems ?? []).length;
    default:
      return 0;
  }
};

export interface WriteCounter {
  /** Write requests sent since the last `take`, and resets the count. */
  take(): number;
}

/**
 * Counts every write request the client sends (a middleware on its stack: what reaches
 * DynamoDB, retries by the SDK excluded), so the write budget is measured, not estimated.
 */
export const countWrites = (client: DynamoDBClient): WriteCounter => {
  let count = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      count += writeRequestsOf(context.commandName ?? '', args.input);
      return next(args);
    },
    { step: 'initialize', name: 'espressoCountWriteRequests' },
  );
  return {
    take() {
      const taken = count;
      count = 0;
      return taken;
    },
  };
};
