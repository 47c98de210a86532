import { defineContract } from '../types';

/** services/orders — owner: @serverless-espresso/orders-team (CODEOWNERS). */
export const ordersContract = defineContract({
  service: 'orders',
  emits: [
    'Validator.NewOrder',
    'OrderProcessor.WorkflowStarted',
    'OrderProcessor.ShopUnavailable',
    'OrderProcessor.WaitingCompletion',
    'OrderProcessor.OrderTimedOut',
    'OrderProcessor.OrderFinished',
    'OrderManager.OrderPlaced',
    'OrderManager.OrderClaimed',
    'OrderManager.OrderUnclaimed',
    'OrderManager.OrderCompleted',
    'OrderManager.OrderCancelled',
  ],
  // Its own rule starts the OrderProcessor, whose input is the whole detail.
  consumes: { 'Validator.NewOrder': 'all' },
  routes: [
    'GET /shops/{shopId}/qr-code',
    'POST /shops/{shopId}/orders',
    'GET /shops/{shopId}/orders/{orderId}',
    'GET /shops/{shopId}/orders/{orderId}/journey',
    'GET /me/orders',
    'PUT /shops/{shopId}/orders/{orderId}',
    'GET /shops/{shopId}/queue',
    'POST /shops/{shopId}/orders/{orderId}/{action}',
  ],
});
