import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateScan,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type ShopConfig,
  ShopConfigSchema,
  type ShopSummary,
  ShopSummarySchema,
} from '@espresso/schemas';
import type { ConfigChange } from '../domain/shopConfig';

export class VersionConflict extends Error {
  constructor(readonly shopId: string) {
    super(`shop ${shopId} changed concurrently`);
    this.name = 'VersionConflict';
  }
}

export interface ShopsTable {
  get(shopId: string): Promise<ShopConfig | undefined>;
  /**
   * Writes `config` if the stored version is still `expectedVersion` (undefined: absent). The
   * item keeps `lastChange`, so the table's stream tells what the write was (the outbox).
   */
  put(config: ShopConfig, expectedVersion: number | undefined, change: ConfigChange): Promise<void>;
  /** Sets the open flag of an existing shop; undefined when there is no such shop. */
  setOpen(shopId: string, open: boolean, at: string): Promise<ShopConfig | undefined>;
  list(): Promise<ShopSummary[]>;
}

/** The config table: one item per shop, keyed by `shopId`, every write conditional. */
export const buildShopsTable = (client: DynamoDBDocumentClient, tableName: string): ShopsTable => ({
  async get(shopId) {
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: { shopId }, ConsistentRead: true }),
    );
    return Item ? ShopConfigSchema.parse(Item) : undefined;
  },

  async put(config, expectedVersion, change) {
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...ShopConfigSchema.parse(config), lastChange: change },
          ...(expectedVersion === undefined
            ? { ConditionExpression: 'attribute_not_exists(shopId)' }
            : {
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': expectedVersion },
              }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new VersionConflict(config.shopId);
      throw error;
    }
  },

  async setOpen(shopId, open, at) {
    try {
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { shopId },
          UpdateExpression:
            'SET #open = :open, updatedAt = :at, lastChange = :change ADD #version :one',
          ConditionExpression: 'attribute_exists(shopId)',
          ExpressionAttributeNames: { '#open': 'open', '#version': 'version' },
          ExpressionAttributeValues: {
            ':open': open,
            ':at': at,
            ':one': 1,
            ':change': open ? 'OPENED' : 'CLOSED',
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return ShopConfigSchema.parse(Attributes);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  },

  async list() {
    const shops: ShopSummary[] = [];
    const pages = paginateScan(
      { client },
      {
        TableName: tableName,
        ProjectionExpression: 'shopId, #name, #open, updatedAt',
        ExpressionAttributeNames: { '#name': 'name', '#open': 'open' },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) shops.push(ShopSummarySchema.parse(item));
    }
    return shops.sort((a, b) => a.shopId.localeCompare(b.shopId));
  },
});
