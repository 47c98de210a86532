import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type QrBucketItem, QrBucketItemSchema } from '@espresso/schemas';

/** The QR codes table's item (its contract lives in `packages/schemas`). */
export const QrBucketSchema = QrBucketItemSchema;
export type QrBucket = QrBucketItem;

export interface QrCodes {
  get(shopId: string, bucket: number): Promise<QrBucket | undefined>;
  /** Creates the bucket unless it exists; returns the stored one, so concurrent displays agree. */
  createOrGet(candidate: QrBucket): Promise<QrBucket>;
}

export const buildQrCodes = (client: DynamoDBDocumentClient, tableName: string): QrCodes => {
  const get = async (shopId: string, bucket: number) => {
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: { shopId, bucket }, ConsistentRead: true }),
    );
    return Item ? QrBucketSchema.parse(Item) : undefined;
  };
  return {
    get,
    async createOrGet(candidate) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: candidate,
            ConditionExpression: 'attribute_not_exists(shopId)',
          }),
        );
        return candidate;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const stored = await get(candidate.shopId, candidate.bucket);
        if (!stored) throw error;
        return stored;
      }
    },
  };
};
