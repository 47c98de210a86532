'use strict';

/**
 * The stage's CloudWatch dashboard body, for serverless.yml:
 *   DashboardBody: ${file(./cloudwatch.cjs):dashboardBody}
 *
 * Names come from the service's own config (`custom.names`, the stage, `${aws:region}`, the
 * metrics namespace of provider.environment `POWERTOOLS_METRICS_NAMESPACE`) and
 * the compose params (the orders service's state machines and HTTP API id). This service's
 * own API id is only known once deployed, so the body
 * is an `Fn::Join` that puts `Ref HttpApi` in its place. Nothing is hard-coded.
 */

/** Marks where an intrinsic goes in the JSON text. */
const SLOT = (name) => `@@${name}@@`;
const SLOTS = { metricsApiId: { Ref: 'HttpApi' } };

/** `JSON.stringify(body)` with each slot replaced by its intrinsic, as an `Fn::Join`. */
const joinWithSlots = (body) => {
  const text = JSON.stringify(body);
  const parts = [];
  let rest = text;
  for (;;) {
    const match = /@@(\w+)@@/.exec(rest);
    if (!match) break;
    parts.push(rest.slice(0, match.index), SLOTS[match[1]]);
    rest = rest.slice(match.index + match[0].length);
  }
  parts.push(rest);
  return { 'Fn::Join': ['', parts.filter((p) => p !== '')] };
};

const dashboardBody = async ({ resolveVariable }) => {
  const v = (address) => resolveVariable(address);
  const region = await v('aws:region');
  const stage = await v('sls:stage');
  // The stage's business-metrics namespace: the one every function emits to (set once in
  // services/serverless.common.yml provider.environment, read by Powertools Metrics).
  const namespace = await v('self:provider.environment.POWERTOOLS_METRICS_NAMESPACE');
  const service = await v('self:service');
  const queue = await v('self:custom.names.endingsQueue');
  const dlq = await v('self:custom.names.endingsDlq');
  const table = await v('self:custom.names.metricsTable');
  const consumer = `${service}-${stage}-consumeEndings`;
  const api = `${service}-${stage}-getMetrics`;
  const orderProcessor = await v('param:orderProcessorArn');
  const orderManager = await v('param:orderManagerArn');
  const ordersApiId = await v('param:ordersHttpApiId');

  const width = 12;
  const height = 6;
  let slot = 0;
  /** A metrics widget, laid out two per row. */
  const widget = (title, metrics, extra = {}) => {
    const x = (slot % 2) * width;
    const y = Math.floor(slot / 2) * height;
    slot++;
    return {
      type: 'metric',
      x,
      y,
      width,
      height,
      properties: { title, region, view: 'timeSeries', stacked: false, metrics, ...extra },
    };
  };
  const search = (id, expression, label) => [{ expression, id, label, region }];

  return joinWithSlots({
    widgets: [
      widget(
        'Orders placed (per shop)',
        search(
          'placed',
          `SEARCH('{${namespace},service,shopId} MetricName="OrdersPlaced"', 'Sum', 3600)`,
          '',
        ),
        { period: 3600, stat: 'Sum' },
      ),
      widget(
        'Orders by outcome (per shop)',
        search(
          'outcomes',
          `SEARCH('{${namespace},outcome,service,shopId} MetricName="OrdersEnded"', 'Sum', 3600)`,
          '',
        ),
        { period: 3600, stat: 'Sum' },
      ),
      widget(
        'Drinks completed (per shop)',
        search(
          'drinks',
          `SEARCH('{${namespace},drinkId,service,shopId} MetricName="DrinksCompleted"', 'Sum', 3600)`,
          '',
        ),
        { period: 3600, stat: 'Sum' },
      ),
      widget(
        'Average wait (placed → claimed) and make (claimed → completed), seconds',
        [
          ...search(
            'wait',
            `SEARCH('{${namespace},service,shopId} MetricName="WaitTime"', 'Average', 3600)`,
            'wait',
          ),
          ...search(
            'make',
            `SEARCH('{${namespace},service,shopId} MetricName="MakeTime"', 'Average', 3600)`,
            'make',
          ),
        ],
        { period: 3600, stat: 'Average' },
      ),
      widget(
        'Endings queue: depth and age of the oldest message',
        [
          [
            'AWS/SQS',
            'ApproximateNumberOfMessagesVisible',
            'QueueName',
            queue,
            { stat: 'Maximum' },
          ],
          [
            'AWS/SQS',
            'ApproximateAgeOfOldestMessage',
            'QueueName',
            queue,
            { stat: 'Maximum', yAxis: 'right' },
          ],
        ],
        { period: 300 },
      ),
      widget(
        'Dead-letter queue depth',
        [['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', dlq, { stat: 'Maximum' }]],
        { period: 300 },
      ),
      widget(
        'Workflows: executions failed, timed out, aborted',
        [
          [
            'AWS/States',
            'ExecutionsFailed',
            'StateMachineArn',
            orderProcessor,
            { label: 'OrderProcessor failed' },
          ],
          [
            'AWS/States',
            'ExecutionsTimedOut',
            'StateMachineArn',
            orderProcessor,
            { label: 'OrderProcessor timed out' },
          ],
          [
            'AWS/States',
            'ExecutionsAborted',
            'StateMachineArn',
            orderProcessor,
            { label: 'OrderProcessor aborted' },
          ],
          [
            'AWS/States',
            'ExecutionsFailed',
            'StateMachineArn',
            orderManager,
            { label: 'OrderManager failed' },
          ],
          [
            'AWS/States',
            'ExecutionsTimedOut',
            'StateMachineArn',
            orderManager,
            { label: 'OrderManager timed out' },
          ],
        ],
        { period: 300, stat: 'Sum' },
      ),
      widget(
        'APIs: 4xx and 5xx',
        [
          ['AWS/ApiGateway', '4xx', 'ApiId', ordersApiId, { label: 'orders 4xx' }],
          ['AWS/ApiGateway', '5xx', 'ApiId', ordersApiId, { label: 'orders 5xx' }],
          ['AWS/ApiGateway', '4xx', 'ApiId', SLOT('metricsApiId'), { label: 'metrics 4xx' }],
          ['AWS/ApiGateway', '5xx', 'ApiId', SLOT('metricsApiId'), { label: 'metrics 5xx' }],
        ],
        { period: 300, stat: 'Sum' },
      ),
      widget(
        'APIs: latency p50 / p90 (ms)',
        [
          ['AWS/ApiGateway', 'Latency', 'ApiId', ordersApiId, { stat: 'p50', label: 'orders p50' }],
          ['AWS/ApiGateway', 'Latency', 'ApiId', ordersApiId, { stat: 'p90', label: 'orders p90' }],
          [
            'AWS/ApiGateway',
            'Latency',
            'ApiId',
            SLOT('metricsApiId'),
            { stat: 'p50', label: 'metrics p50' },
          ],
          [
            'AWS/ApiGateway',
            'Latency',
            'ApiId',
            SLOT('metricsApiId'),
            { stat: 'p90', label: 'metrics p90' },
          ],
        ],
        { period: 300 },
      ),
      widget(
        `Lambda errors (every function of stage ${stage})`,
        search(
          'errors',
          `SEARCH('{AWS/Lambda,FunctionName} MetricName="Errors" espresso ${stage}', 'Sum', 300)`,
          '',
        ),
        { period: 300, stat: 'Sum' },
      ),
      widget(
        'Lambda duration p90 (ms): metrics functions',
        [
          ['AWS/Lambda', 'Duration', 'FunctionName', consumer, { stat: 'p90' }],
          ['AWS/Lambda', 'Duration', 'FunctionName', api, { stat: 'p90' }],
          ['AWS/Lambda', 'Errors', 'FunctionName', consumer, { stat: 'Sum', yAxis: 'right' }],
          ['AWS/Lambda', 'Errors', 'FunctionName', api, { stat: 'Sum', yAxis: 'right' }],
        ],
        { period: 300 },
      ),
      widget(
        'Metrics consumer: endings applied, duplicates, failed messages, table writes',
        [
          [namespace, 'EndingsApplied', 'service', service, { stat: 'Sum' }],
          [namespace, 'EndingsDuplicate', 'service', service, { stat: 'Sum' }],
          [namespace, 'MessagesFailed', 'service', service, { stat: 'Sum' }],
          [namespace, 'TableWriteRequests', 'service', service, { stat: 'Sum' }],
        ],
        { period: 300 },
      ),
      widget(
        'Metrics table: consumed write and read capacity',
        [
          ['AWS/DynamoDB', 'ConsumedWriteCapacityUnits', 'TableName', table, { stat: 'Sum' }],
          ['AWS/DynamoDB', 'ConsumedReadCapacityUnits', 'TableName', table, { stat: 'Sum' }],
        ],
        { period: 300 },
      ),
    ],
  });
};

module.exports = { dashboardBody, joinWithSlots };
