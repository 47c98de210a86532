import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConnectionItemSchema } from '@espresso/schemas';
import type { Connection, View } from '../domain/connection';

/** Sends a conditional write; `false` when its condition failed. */
const sendConditional = async (
  client: DynamoDBDocumentClient,
  command: DeleteCommand | UpdateCommand,
): Promise<boolean> => {
  try {
    await client.send(command);
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
};

/** A connection found through an index: who to post to and which message it gets. */
export interface Listener {
  connectionId: string;
  view: View;
}

export interface Connections {
  put(connection: Connection): Promise<void>;
  get(connectionId: string): Promise<Connection | undefined>;
  remove(connectionId: string): Promise<void>;
  /**
   * Removes a connection API Gateway no longer knows, unless it connected after
   * `connectedBefore` (ISO): a connection whose `$connect` has not finished yet answers 410 too.
   * False when it was kept.
   */
  removeGone(connectionId: string, connectedBefore: string): Promise<boolean>;
  /** Points the connection at `shopId`; false when the connection is not (or no longer) known. */
  watch(connectionId: string, shopId: string): Promise<boolean>;
  /** Live connections watching `shopId` (staff, display and customers' public view). */
  watching(shopId: string, nowSeconds: number): Promise<Listener[]>;
  /** Live customer-view connections of the customer `sub`. */
  ownedBy(sub: string, nowSeconds: number): Promise<Listener[]>;
}

export const INDEXES = { byShop: 'byShop', byOwner: 'byOwner' } as const;

/*
 * Item: `connectionId` (key), `sub`, `view`, `connectedAt`, `expiresAt` (TTL, epoch seconds),
 * `shopId` (key of the sparse `byShop` index, set once the connection watches a shop) and
 * `ownerId` (key of the sparse `byOwner` index, the `sub` of a customer-view connection).
 * DynamoDB deletes expired items lazily, so the queries also filter on `expiresAt`.
 */
export const buildConnections = (client: DynamoDBDocumentClient, table: string): Connections => {
  const query = async (index: string, key: string, value: string, nowSeconds: number) => {
    const listeners: Listener[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: table,
          IndexName: index,
          KeyConditionExpression: '#key = :value',
          FilterExpression: '#expiresAt > :now',
          ExpressionAttributeNames: { '#key': key, '#expiresAt': 'expiresAt' },
          ExpressionAttributeValues: { ':value': value, ':now': nowSeconds },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        listeners.push({ connectionId: String(item.connectionId), view: item.view as View });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return listeners;
  };

  return {
    async put(connection) {
      await client.send(
        new PutCommand({
          TableName: table,
          Item: {
            ...connection,
            ...(connection.view === 'customer' ? { ownerId: connection.sub } : {}),
          },
        }),
      );
    },
    async get(connectionId) {
      const { Item } = await client.send(
        new GetCommand({ TableName: table, Key: { connectionId }, ConsistentRead: true }),
      );
      if (!Item) return undefined;
      const { ownerId: _ownerId, ...connection } = ConnectionItemSchema.parse(Item);
      return connection;
    },
    async remove(connectionId) {
      await client.send(new DeleteCommand({ TableName: table, Key: { connectionId } }));
    },
    removeGone: (connectionId, connectedBefore) =>
      sendConditional(
        client,
        new DeleteCommand({
          TableName: table,
          Key: { connectionId },
          ConditionExpression: 'connectedAt < :before',
          ExpressionAttributeValues: { ':before': connectedBefore },
        }),
      ),
    watch: (connectionId, shopId) =>
      sendConditional(
        client,
        new UpdateCommand({
          TableName: table,
          Key: { connectionId },
          UpdateExpression: 'SET shopId = :shopId',
          ConditionExpression: 'attribute_exists(connectionId)',
          ExpressionAttributeValues: { ':shopId': shopId },
        }),
      ),
    watching: (shopId, nowSeconds) => query(INDEXES.byShop, 'shopId', shopId, nowSeconds),
    ownedBy: (sub, nowSeconds) => query(INDEXES.byOwner, 'ownerId', sub, nowSeconds),
  };
};
