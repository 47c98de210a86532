import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { type ShopConfig, ShopConfigSchema } from '@espresso/schemas';

export interface Shops {
  get(shopId: string): Promise<ShopConfig | undefined>;
}

/** Reads the config service's shops table (its name comes through compose). */
export const buildShops = (client: DynamoDBDocumentClient, tableName: string): Shops => ({
  async get(shopId) {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: { shopId } }));
    return Item ? ShopConfigSchema.parse(Item) : undefined;
  },
});
