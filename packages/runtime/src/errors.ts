import { ERROR_STATUS, type ErrorBody, type ErrorCode } from '@espresso/schemas';

/**
 * An error a client caused or may see: it becomes `{error: {code, message, field?}}` with the
 * status of its code. Domain code throws these (or subclasses); `httpHandler` maps them.
 */
export class HttpError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'HttpError';
    this.code = code;
    this.field = field;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.field === undefined ? {} : { field: this.field }),
      },
    };
  }
}

export const invalidRequest = (field: string, message: string) =>
  new HttpError('INVALID_REQUEST', message, field);
export const unauthorized = (message = 'sign in first: a bearer token is required') =>
  new HttpError('UNAUTHORIZED', message);
export const forbidden = (message: string) => new HttpError('FORBIDDEN', message);
export const notFound = (message: string) => new HttpError('NOT_FOUND', message);
export const conflict = (message: string, field?: string) =>
  new HttpError('CONFLICT', message, field);
export const limitExceeded = (message: string) => new HttpError('LIMIT_EXCEEDED', message);
