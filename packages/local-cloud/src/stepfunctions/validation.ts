import { SfnApiError } from './errors';

/** The checks the API applies to names, ARNs and execution input, with AWS's errors. */

export const STATE_MACHINE_ARN = /^arn:aws:states:[^:]+:\d{12}:stateMachine:[^:]+$/;
export const EXECUTION_ARN =
  /^arn:aws:states:[^:]+:\d{12}:(?:execution|express):[^:]+:[^:]+(?::[^:]+)?$/;
const MAX_INPUT_BYTES = 256 * 1024;
// AWS: 1-80 characters, no whitespace, brackets, wildcards, special or control characters.
const FORBIDDEN_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;

const isControlCharacter = (character: string) => {
  const code = character.codePointAt(0) ?? 0;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
};

/** `name` if AWS accepts it as a state machine or execution name; else `InvalidName`. */
export const validName = (name: string) => {
  if (
    name.length < 1 ||
    name.length > 80 ||
    FORBIDDEN_NAME_CHARACTERS.test(name) ||
    [...name].some(isControlCharacter)
  ) {
    throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
  }
  return name;
};

/** `arn` if it is a string of the kind `pattern` describes; else `InvalidArn`. */
export const validArn = (arn: unknown, pattern: RegExp): string => {
  if (typeof arn !== 'string' || !pattern.test(arn)) {
    throw new SfnApiError(
      'InvalidArn',
      `Invalid Arn: 'Resource type not valid in this context: ${arn}'`,
    );
  }
  return arn;
};

const invalidInput = (reason: string) =>
  new SfnApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: ${reason}`);

/** An execution's input as text (`{}` when none) and parsed; `InvalidExecutionInput` else. */
export const parseExecutionInput = (input: unknown): { text: string; value: unknown } => {
  const text = input === undefined || input === null ? '{}' : input;
  if (typeof text !== 'string') throw invalidInput('not a string');
  if (Buffer.byteLength(text) > MAX_INPUT_BYTES) {
    throw invalidInput('the input is larger than 256 KiB');
  }
  try {
    return { text, value: JSON.parse(text) };
  } catch (error) {
    throw invalidInput(`'${(error as Error).message}'`);
  }
};

/** StopExecution's `error` and `cause` as text; `ValidationException` when too long. */
export const stopReason = (input: { error?: unknown; cause?: unknown }) => {
  const error = input.error === undefined ? undefined : String(input.error);
  const cause = input.cause === undefined ? undefined : String(input.cause);
  if ((error?.length ?? 0) > 256 || (cause?.length ?? 0) > 32768) {
    throw new SfnApiError('ValidationException', 'The error or cause is too long');
  }
  return { error, cause };
};
