/** The query-protocol codes SQS gives with the `AWS.SimpleQueueService.` prefix (its model). */
const PREFIXED_QUERY_CODES = new Set([
  'BatchEntryIdsNotDistinct',
  'BatchRequestTooLong',
  'EmptyBatchRequest',
  'InvalidBatchEntryId',
  'MessageNotInflight',
  'NonExistentQueue',
  'PurgeQueueInProgress',
  'QueueDeletedRecently',
  'TooManyEntriesInBatchRequest',
  'UnsupportedOperation',
]);

/**
 * An SQS error as the JSON protocol answers it: `__type` names the error (the SDK's `name`),
 * the `x-amzn-query-error` header gives the query-protocol code (the SDK's `Code`), prefixed
 * with `AWS.SimpleQueueService.` only where SQS prefixes it.
 */
export class SqsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** The query-protocol code, when it differs from `code`. */
    private readonly queryCode = code,
  ) {
    super(message);
  }

  get queryErrorHeader(): string {
    const code = PREFIXED_QUERY_CODES.has(this.queryCode)
      ? `AWS.SimpleQueueService.${this.queryCode}`
      : this.queryCode;
    return `${code};Sender`;
  }

  toJSON() {
    return { __type: `com.amazonaws.sqs#${this.code}`, message: this.message };
  }
}

export const queueDoesNotExist = () =>
  new SqsError('QueueDoesNotExist', 'The specified queue does not exist.', 'NonExistentQueue');

export const invalidParameter = (message: string) => new SqsError('InvalidParameterValue', message);

export const missingParameter = (name: string) =>
  new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);
