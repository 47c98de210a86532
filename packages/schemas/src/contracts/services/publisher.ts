import { defineContract } from '../types';

/** services/publisher — owner: @serverless-espresso/publisher-team (CODEOWNERS). */
export const publisherContract = defineContract({
  service: 'publisher',
  emits: [],
  // The fan-out parses every event whole (`parseBusEvent`) to build the screens' messages.
  consumes: {
    'Validator.NewOrder': 'all',
    'OrderProcessor.WorkflowStarted': 'all',
    'OrderProcessor.ShopUnavailable': 'all',
    'OrderProcessor.WaitingCompletion': 'all',
    'OrderProcessor.OrderTimedOut': 'all',
    'OrderProcessor.OrderFinished': 'all',
    'OrderManager.OrderPlaced': 'all',
    'OrderManager.OrderClaimed': 'all',
    'OrderManager.OrderUnclaimed': 'all',
    'OrderManager.OrderCompleted': 'all',
    'OrderManager.OrderCancelled': 'all',
    'ConfigService.ConfigChanged': 'all',
  },
  routes: ['$connect', '$disconnect', 'subscribe'],
});
