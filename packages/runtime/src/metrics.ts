import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** One metrics client per Lambda (service name from POWERTOOLS_SERVICE_NAME): CloudWatch EMF. */
export const metrics = new Metrics({ namespace: 'ServerlessEspresso' });

/**
 * Counts one business occurrence (an order placed, a drink completed) as an EMF metric emitted
 * at once, with low-cardinality dimensions such as the shop.
 */
export const countBusiness = (name: string, dimensions: Record<string, string> = {}) => {
  const single = metrics.singleMetric();
  for (const [key, value] of Object.entries(dimensions)) single.addDimension(key, value);
  single.addMetric(name, MetricUnit.Count, 1);
};
