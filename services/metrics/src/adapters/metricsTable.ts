import {
  type DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { MetricsDayItemSchema } from '@espresso/schemas';

/** One shop's day: its counters (`HH|kind|name` → amount). */
export interface DayItem {
  shopId: string;
  day: string;
  counters: Record<string, number>;
}

export interface MetricsTable {
  /** Keys of the endings already counted in the shop's day (a strongly consistent read). */
  appliedKeys(shopId: string, day: string): Promise<Set<string>>;
  /**
   * Adds `counters` and records `keys` as applied in one conditional UpdateItem, on the
   * condition that none of the keys is there yet. False when one is (nothing was written).
   */
  apply(
    shopId: string,
    day: string,
    keys: readonly string[],
    counters: ReadonlyMap<string, number>,
  ): Promise<boolean>;
  /** The shop's days from `from` to `to` (both included) that have counters. */
  readDays(shopId: string, from: string, to: string): Promise<DayItem[]>;
}

/**
 * The metrics table: key `shopId` (hash) + `day` (range, `YYYY-MM-DD`), one item per shop and
 * day holding the counters as flat number attributes and `applied`, the string set of the
 * endings already counted (the exactly-once markers, in the same item as what they guard).
 */
export const buildMetricsTable = (
  client: DynamoDBDocumentClient,
  tableName: string,
  now: () => Date = () => new Date(),
): MetricsTable => ({
  async appliedKeys(shopId, day) {
    const { Item } = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: { shopId, day },
        ProjectionExpression: '#applied',
        ExpressionAttributeNames: { '#applied': 'applied' },
        ConsistentRead: true,
      }),
    );
    const applied = Item?.applied as Set<string> | undefined;
    return new Set(applied ?? []);
  },

  async apply(shopId, day, keys, counters) {
    if (keys.length === 0) return true;
    const names: Record<string, string> = { '#applied': 'applied', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = {
      ':keys': new Set(keys),
      ':now': now().toISOString(),
    };
    const adds: string[] = [];
    [...counters].forEach(([name, amount], i) => {
      names[`#c${i}`] = name;
      values[`:c${i}`] = amount;
      adds.push(`#c${i} :c${i}`);
    });
    const conditions = keys.map((key, i) => {
      values[`:k${i}`] = key;
      return `NOT contains(#applied, :k${i})`;
    });
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { shopId, day },
          UpdateExpression: `ADD ${[...adds, '#applied :keys'].join(', ')} SET #updatedAt = :now`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  },

  async readDays(shopId, from, to) {
    const days: DayItem[] = [];
    for await (const page of paginateQuery(
      { client },
      {
        TableName: tableName,
        KeyConditionExpression: 'shopId = :shopId AND #day BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#day': 'day' },
        ExpressionAttributeValues: { ':shopId': shopId, ':from': from, ':to': to },
      },
    )) {
      for (const raw of page.Items ?? []) {
        const item = MetricsDayItemSchema.parse(raw);
        const counters: Record<string, number> = {};
        for (const [name, value] of Object.entries(item)) {
          if (typeof value === 'number') counters[name] = value;
        }
        days.push({ shopId, day: item.day, counters });
      }
    }
    return days;
  },
});
