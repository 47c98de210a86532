import { defineContract } from '../types';

/** services/metrics — owner: @serverless-espresso/metrics-team (CODEOWNERS). */
export const metricsContract = defineContract({
  service: 'metrics',
  emits: [],
  // The consumer parses each ending whole (`parseBusEvent`): an order counts once, by how it
  // ended; OrderFinished repeats completed/cancelled and is not routed.
  consumes: {
    'OrderManager.OrderCompleted': 'all',
    'OrderManager.OrderCancelled': 'all',
    'OrderProcessor.OrderTimedOut': 'all',
    'OrderProcessor.ShopUnavailable': 'all',
  },
  routes: ['GET /shops/{shopId}/metrics'],
});
