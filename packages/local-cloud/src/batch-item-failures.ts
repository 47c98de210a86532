/**
 * Reading a function's `ReportBatchItemFailures` response, as Lambda does for SQS queues and
 * DynamoDB streams alike.
 */

/**
 * The response's `batchItemFailures` entries, or why the whole batch failed. No response, `{}`
 * or a null `batchItemFailures` is success (no entries); a response that is not an object, or
 * a `batchItemFailures` that is not a list, fails the whole batch.
 */
export const batchItemFailuresOf = (payload: unknown): unknown[] | string => {
  if (payload === null || payload === undefined || payload === '') return [];
  if (typeof payload !== 'object' || Array.isArray(payload)) {
    return 'the response is not a batch item failures object';
  }
  const items = (payload as { batchItemFailures?: unknown }).batchItemFailures;
  if (items === undefined || items === null) return [];
  if (!Array.isArray(items)) return 'batchItemFailures is not a list';
  return items;
};

/** The `itemIdentifier` of one `batchItemFailures` entry (undefined when it has none). */
export const itemIdentifierOf = (item: unknown): unknown =>
  item !== null && typeof item === 'object'
    ? (item as { itemIdentifier?: unknown }).itemIdentifier
    : undefined;
