import { randomBytes } from 'node:crypto';

/** The code's time bucket: codes rotate every `ttlSeconds`. */
export const bucketOf = (nowMs: number, ttlSeconds: number) =>
  Math.floor(nowMs / (ttlSeconds * 1000));
export const bucketEnd = (bucket: number, ttlSeconds: number) => (bucket + 1) * ttlSeconds * 1000;

/** A scan of the previous code is still accepted this long after it rotated. */
export const GRACE_MS = 30_000;

/** 10 unguessable characters of [A-Za-z0-9_-]. */
export const newCode = () => randomBytes(8).toString('base64url').slice(0, 10);

/** Which bucket a redeemed code must belong to: the current one, or the previous within grace. */
export const candidateBuckets = (nowMs: number, ttlSeconds: number): number[] => {
  const current = bucketOf(nowMs, ttlSeconds);
  const sinceRotation = nowMs - current * ttlSeconds * 1000;
  return sinceRotation < GRACE_MS ? [current, current - 1] : [current];
};

/** The UTC day an order counts against the customer's daily limit. */
export const utcDay = (nowMs: number) => new Date(nowMs).toISOString().slice(0, 10);
