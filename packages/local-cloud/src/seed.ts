import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { PutShopConfigBodySchema, type ShopConfig, ShopConfigSchema } from '@espresso/schemas';

export const DEMO_SHOP_ID = 'demo';
const SEED_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../seed/demo-shop.json',
);

/** The demo shop's config, validated by the same schema the config API uses. */
export const demoShopConfig = async (now = new Date().toISOString()): Promise<ShopConfig> => {
  const input = PutShopConfigBodySchema.parse(JSON.parse(await readFile(SEED_FILE, 'utf8')));
  return ShopConfigSchema.parse({
    shopId: DEMO_SHOP_ID,
    ...input,
    version: 1,
    createdAt: now,
    updatedAt: now,
  });
};

/** Seeds the demo shop unless it exists (a restart keeps what was changed since). */
export const seedDemoShop = async (
  client: DynamoDBClient,
  shopsTable: string,
): Promise<boolean> => {
  const documents = DynamoDBDocumentClient.from(client);
  try {
    await documents.send(
      new PutCommand({
        TableName: shopsTable,
        Item: await demoShopConfig(),
        ConditionExpression: 'attribute_not_exists(shopId)',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};
