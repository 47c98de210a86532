import * as z from 'zod';
import { DrinkIdSchema, ShopIdSchema } from './common';
import { UserIdSchema } from './order';

/*
 * The metrics service's contract: how an order ended, the query of `GET
 * /shops/{shopId}/metrics`, and its response, shaped for charts. Days and hours are UTC and
 * taken from the time the order ended (the event's `at`), never from when it was counted.
 */

/** How an order ended: each order is counted once, under exactly one of these. */
export const OrderOutcomeSchema = z.enum(['COMPLETED', 'CANCELLED', 'TIMED_OUT', 'REJECTED']);
export type OrderOutcome = z.infer<typeof OrderOutcomeSchema>;
export const ORDER_OUTCOMES = OrderOutcomeSchema.options;

/** The widest range one request may ask for, in days (both ends included). */
export const MAX_METRICS_DAYS = 31;

const DAY_MS = 86_400_000;

/** A calendar date `YYYY-MM-DD` that exists (2026-02-30 does not). */
export const IsoDateSchema = z
  .string({ error: 'must be a date YYYY-MM-DD' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00.000Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
  }, 'must be a date that exists');
export type IsoDate = z.infer<typeof IsoDateSchema>;

/** Whole days from `from` to `to`, both included (1 when they are the same day). */
export const daysBetween = (from: IsoDate, to: IsoDate): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;

/** `?from=YYYY-MM-DD&to=YYYY-MM-DD`: from ≤ to, at most `MAX_METRICS_DAYS` days. */
export const MetricsQuerySchema = z
  .object({ from: IsoDateSchema, to: IsoDateSchema })
  .superRefine((query, ctx) => {
    const days = daysBetween(query.from, query.to);
    if (days < 1) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    } else if (days > MAX_METRICS_DAYS) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `must be at most ${MAX_METRICS_DAYS} days after from (both included)`,
      });
    }
  });
export type MetricsQuery = z.infer<typeof MetricsQuerySchema>;

const count = z.number().int().nonnegative();

/** A sum of durations and how many there were: the average is `seconds / count`. */
export const DurationTotalSchema = z.strictObject({ seconds: z.number().nonnegative(), count });
export type DurationTotal = z.infer<typeof DurationTotalSchema>;

/** Orders by how they ended: every outcome present, no other key. */
export const ByOutcomeSchema = z.record(OrderOutcomeSchema, count);
export type ByOutcome = z.infer<typeof ByOutcomeSchema>;

/** Drinks completed, most first. */
export const DrinkCountSchema = z.strictObject({ drinkId: DrinkIdSchema, count });
/** Modifier options of completed drinks (`group` is the modifier's name, e.g. Milk), most first. */
export const ModifierCountSchema = z.strictObject({ group: z.string(), option: z.string(), count });
/** Orders each barista completed, and their making time. */
export const BaristaCountSchema = z.strictObject({
  baristaId: UserIdSchema,
  completed: count,
  make: DurationTotalSchema,
});

/** What one bucket (a day, an hour, the whole range) counted. */
export const MetricsBucketSchema = z.strictObject({
  /** Orders that ended, whatever the outcome. */
  orders: count,
  byOutcome: ByOutcomeSchema,
  /** drinkId → completed count (a map: stacked charts per bucket). */
  drinks: z.record(z.string(), count),
  /** Placed → claimed, of completed orders. */
  wait: DurationTotalSchema,
  /** Claimed → completed. */
  make: DurationTotalSchema,
});
export type MetricsBucket = z.infer<typeof MetricsBucketSchema>;

/** Average seconds, or null when nothing was measured. */
const average = z.number().nonnegative().nullable();

export const MetricsResponseSchema = z.strictObject({
  shopId: ShopIdSchema,
  from: IsoDateSchema,
  to: IsoDateSchema,
  timeZone: z.literal('UTC'),
  /** The whole range. */
  totals: MetricsBucketSchema,
  /** Every day of the range in order, zeros included. */
  days: z.array(MetricsBucketSchema.extend({ date: IsoDateSchema })),
  /** The hours with at least one ending, in order: `hour` is `YYYY-MM-DDTHH` (UTC). */
  hours: z.array(
    MetricsBucketSchema.extend({ hour: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}$/) }),
  ),
  drinks: z.array(DrinkCountSchema),
  modifiers: z.array(ModifierCountSchema),
  baristas: z.array(BaristaCountSchema),
  averages: z.strictObject({ waitSeconds: average, makeSeconds: average }),
});
export type MetricsResponse = z.infer<typeof MetricsResponseSchema>;
