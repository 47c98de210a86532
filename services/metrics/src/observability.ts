import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics } from '@espresso/runtime';
import type { MessageOutcome } from './use-cases/countEndings';

/**
 * Business metrics as CloudWatch EMF through the one metrics client of @espresso/runtime: the
 * stage's namespace comes only from `POWERTOOLS_METRICS_NAMESPACE` (services/serverless.common.yml).
 */
export { metrics };

/**
 * Reports what a batch did: one EMF record per ending counted now (never for a duplicate, so
 * CloudWatch's business metrics are exactly-once too), the batch's totals, and a log line with
 * the DynamoDB write requests it took.
 */
export const reportBatch = (
  records: number,
  outcomes: ReadonlyMap<string, MessageOutcome>,
  writeRequests: number,
) => {
  let applied = 0;
  let duplicates = 0;
  let failed = 0;
  for (const [messageId, outcome] of outcomes) {
    if (outcome.status === 'failed') {
      failed++;
      logger.warn('message not counted', { messageId, error: outcome.error });
      continue;
    }
    if (outcome.status === 'duplicate') {
      duplicates++;
      continue;
    }
    applied++;
    const { ending } = outcome;
    const single = metrics.singleMetric();
    single.addDimensions({ shopId: ending.shopId, outcome: ending.outcome });
    single.addMetric('OrdersEnded', MetricUnit.Count, 1);
    if (ending.outcome === 'COMPLETED' && ending.drinkId) {
      const drink = metrics.singleMetric();
      drink.addDimensions({ shopId: ending.shopId, drinkId: ending.drinkId });
      drink.addMetric('DrinksCompleted', MetricUnit.Count, 1);
    }
    // A single metric is published at its first addMetric: one per measurement.
    for (const [name, ms] of [
      ['WaitTime', ending.waitMs],
      ['MakeTime', ending.makeMs],
    ] as const) {
      if (ms === undefined) continue;
      const time = metrics.singleMetric();
      time.addDimensions({ shopId: ending.shopId });
      time.addMetric(name, MetricUnit.Seconds, ms / 1000);
    }
  }
  metrics.addMetric('EndingsApplied', MetricUnit.Count, applied);
  metrics.addMetric('EndingsDuplicate', MetricUnit.Count, duplicates);
  metrics.addMetric('MessagesFailed', MetricUnit.Count, failed);
  metrics.addMetric('TableWriteRequests', MetricUnit.Count, writeRequests);
  metrics.publishStoredMetrics();
  logger.info('batch counted', {
    messages: records,
    applied,
    duplicates,
    failed,
    writeRequests,
  });
};
