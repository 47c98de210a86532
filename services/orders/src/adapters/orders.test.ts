import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { orderItemKeys } from '@espresso/schemas';
import { mockClient } from 'aws-sdk-client-mock';
import { expect } from 'chai';
import { buildOrdersTable } from './orders';

const dynamo = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));

const base = {
  orderId: '0b7c3a52-3f57-4f55-9a59-8a1a3a0f2c11',
  shopId: 'cafe',
  customerId: 'u1',
  createdAt: '2026-11-25T10:00:00.000Z',
  updatedAt: '2026-11-25T10:00:00.000Z',
};
const awaiting = {
  ...base,
  status: 'AWAITING_SELECTION' as const,
  ...orderItemKeys({ ...base, status: 'AWAITING_SELECTION' }),
};
const chosen = {
  ...base,
  status: 'QUEUED' as const,
  drinkId: 'latte',
  modifiers: {},
  submittedAt: '2026-11-25T10:00:03.000Z',
  ...orderItemKeys({ ...base, status: 'QUEUED', submittedAt: '2026-11-25T10:00:03.000Z' }),
};

const timedOut = {
  ...chosen,
  status: 'TIMED_OUT' as const,
  reason: 'CUSTOMER_TIMEOUT' as const,
  finishedAt: '2026-11-25T10:00:05.000Z',
  ...orderItemKeys({ ...chosen, status: 'TIMED_OUT' }),
};

describe('orders table adapter: end', () => {
  afterEach(() => dynamo.reset());
  after(() => dynamo.restore());

  it('writes the ending conditional on the status it read, and reads again when the order moved in between', async () => {
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: awaiting })
      .resolvesOnce({ Item: chosen })
      .resolves({ Item: timedOut });
    dynamo
      .on(UpdateCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'moved', $metadata: {} }))
      .resolves({});
    const table = buildOrdersTable(client, 'orders');

    const { changed } = await table.end({
      shopId: 'cafe',
      orderId: base.orderId,
      to: 'TIMED_OUT',
      from: ['AWAITING_SELECTION', 'QUEUED', 'IN_PROGRESS'],
      set: { reason: 'CUSTOMER_TIMEOUT' },
    });

    expect(changed).to.equal(true);
    const updates = dynamo.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(updates).to.have.length(2);
    expect(updates.map((u) => u.ExpressionAttributeValues?.[':from0'])).to.deep.equal([
      'AWAITING_SELECTION',
      'QUEUED',
    ]);
    // The second write's index key is the chosen order's: placed when the drink was chosen.
    expect(updates[1]?.ExpressionAttributeValues?.[':gsi1sk']).to.equal(
      `${chosen.submittedAt}#${base.orderId}`,
    );
  });

  it('changes nothing when the order already left the statuses the ending may come from', async () => {
    dynamo.on(GetCommand).resolves({ Item: timedOut });
    const table = buildOrdersTable(client, 'orders');

    const { changed } = await table.end({
      shopId: 'cafe',
      orderId: base.orderId,
      to: 'TIMED_OUT',
      from: ['AWAITING_SELECTION', 'QUEUED', 'IN_PROGRESS'],
      set: {},
    });

    expect(changed).to.equal(false);
    expect(dynamo.commandCalls(UpdateCommand)).to.have.length(0);
  });
});
