import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * One metrics client per Lambda: CloudWatch EMF in the stage's namespace and under the service's
 * name, both from the environment every function gets from services/serverless.common.yml
 * (`POWERTOOLS_METRICS_NAMESPACE: ServerlessEspresso/<stage>`, `POWERTOOLS_SERVICE_NAME`) — the
 * one source the metrics service's dashboard reads too. No namespace here, so none can differ.
 */
export const metrics = new Metrics();

/**
 * Counts one business occurrence (an order placed, a drink completed) as an EMF metric emitted
 * at once, with low-cardinality dimensions such as the shop.
 */
export const countBusiness = (name: string, dimensions: Record<string, string> = {}) => {
  const single = metrics.singleMetric();
  for (const [key, value] of Object.entries(dimensions)) single.addDimension(key, value);
  single.addMetric(name, MetricUnit.Count, 1);
};
