/**
 * aws-local-stepfunctions 3.0.0 declares Node ≥ 22 and calls `Promise.withResolvers` (ES2024)
 * in every Task state; Node 20 lacks it (TOOLCHAIN.md). This module installs it once, before
 * any state machine runs; every module of the local Step Functions imports it first.
 */
interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

/** A promise with its settle functions, like `Promise.withResolvers()`. */
export const deferred = <T>(): Resolvers<T> => {
  let resolve: Resolvers<T>['resolve'] = () => undefined;
  let reject: Resolvers<T>['reject'] = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

if (!('withResolvers' in Promise)) {
  Object.defineProperty(Promise, 'withResolvers', {
    value: deferred,
    writable: true,
    configurable: true,
  });
}
