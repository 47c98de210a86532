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

/** The names a dashboard widget refers to, resolved from the service's configuration. */
const resolveNames = async ({ resolveVariable }) => {
  const v = (address) => resolveVariable(address);
  const stage = await v('sls:stage');
  const service = await v('self:service');
  return {
    region: await v('aws:region'),
    stage,
    // The stage's business-metrics namespace: the one every function emits to (set once in
    // services/serverless.common.yml provider.environment, read by Powertools Metrics).
    namespace: await v('self:provider.environment.POWERTOOLS_METRICS_NAMESPACE'),
    service,
    queue: await v('self:custom.names.endingsQueue'),
    dlq: await v('self:custom.names.endingsDlq'),
    table: await v('self:custom.names.metricsTable'),
    consumer: `${service}-${stage}-consumeEndings`,
    api: `${service}-${stage}-getMetrics`,
    orderProcessor: await v('param:orderProcessorArn'),
    orderManager: await v('param:orderManagerArn'),
    ordersApiId: await v('param:ordersHttpApiId'),
  };
};

/** A metrics widget's content; `layOut` places it. */
const widget = (title, metrics, extra = {}) => ({ title, metrics, extra });

/** A CloudWatch SEARCH expression as a widget's one metric line. */
const search = (names, id, expression, label) => [{ expression, id, label, region: names.region }];

/** A per-shop SEARCH of a business metric in the stage's namespace. */
const perShop = (names, id, dimensions, metric, stat, label = '') =>
  search(
    names,
    id,
    `SEARCH('{${names.namespace},${dimensions}} MetricName="${metric}"', '${stat}', 3600)`,
    label,
  );

/** What the shop sells and how fast: orders, outcomes, drinks, waiting and making times. */
const businessWidgets = (n) => [
  widget(
    'Orders placed (per shop)',
    perShop(n, 'placed', 'service,shopId', 'OrdersPlaced', 'Sum'),
    {
      period: 3600,
      stat: 'Sum',
    },
  ),
  widget(
    'Orders by outcome (per shop)',
    perShop(n, 'outcomes', 'outcome,service,shopId', 'OrdersEnded', 'Sum'),
    { period: 3600, stat: 'Sum' },
  ),
  widget(
    'Drinks completed (per shop)',
    perShop(n, 'drinks', 'drinkId,service,shopId', 'DrinksCompleted', 'Sum'),
    { period: 3600, stat: 'Sum' },
  ),
  widget(
    'Average wait (placed → claimed) and make (claimed → completed), seconds',
    [
      ...perShop(n, 'wait', 'service,shopId', 'WaitTime', 'Average', 'wait'),
      ...perShop(n, 'make', 'service,shopId', 'MakeTime', 'Average', 'make'),
    ],
    { period: 3600, stat: 'Average' },
  ),
];

/** A state machine's executions that ended in `outcome` (Failed, TimedOut, Aborted). */
const executions = (arn, outcome, label) => [
  'AWS/States',
  `Executions${outcome}`,
  'StateMachineArn',
  arn,
  { label },
];

/** The endings queue, its dead letters and the workflows' failed executions. */
const deliveryWidgets = (n) => [
  widget(
    'Endings queue: depth and age of the oldest message',
    [
      ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', n.queue, { stat: 'Maximum' }],
      [
        'AWS/SQS',
        'ApproximateAgeOfOldestMessage',
        'QueueName',
        n.queue,
        { stat: 'Maximum', yAxis: 'right' },
      ],
    ],
    { period: 300 },
  ),
  widget(
    'Dead-letter queue depth',
    [['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', n.dlq, { stat: 'Maximum' }]],
    { period: 300 },
  ),
  widget(
    'Workflows: executions failed, timed out, aborted',
    [
      executions(n.orderProcessor, 'Failed', 'OrderProcessor failed'),
      executions(n.orderProcessor, 'TimedOut', 'OrderProcessor timed out'),
      executions(n.orderProcessor, 'Aborted', 'OrderProcessor aborted'),
      executions(n.orderManager, 'Failed', 'OrderManager failed'),
      executions(n.orderManager, 'TimedOut', 'OrderManager timed out'),
    ],
    { period: 300, stat: 'Sum' },
  ),
];

/**
 * HTTP API metric lines, `[metric, options]` each, for the orders API and then for this service's
 * own (its id known once deployed); each label prefixed with the API's name.
 */
const perApi = (n, lines) =>
  [
    ['orders', n.ordersApiId],
    ['metrics', SLOT('metricsApiId')],
  ].flatMap(([name, apiId]) =>
    lines.map(([metric, options]) => [
      'AWS/ApiGateway',
      metric,
      'ApiId',
      apiId,
      { ...options, label: `${name} ${options.label}` },
    ]),
  );

/** The HTTP APIs' errors and latency, and the Lambda functions'. */
const serviceWidgets = (n) => [
  widget(
    'APIs: 4xx and 5xx',
    perApi(n, [
      ['4xx', { label: '4xx' }],
      ['5xx', { label: '5xx' }],
    ]),
    { period: 300, stat: 'Sum' },
  ),
  widget(
    'APIs: latency p50 / p90 (ms)',
    perApi(n, [
      ['Latency', { stat: 'p50', label: 'p50' }],
      ['Latency', { stat: 'p90', label: 'p90' }],
    ]),
    { period: 300 },
  ),
  widget(
    `Lambda errors (every function of stage ${n.stage})`,
    search(
      n,
      'errors',
      `SEARCH('{AWS/Lambda,FunctionName} MetricName="Errors" espresso ${n.stage}', 'Sum', 300)`,
      '',
    ),
    { period: 300, stat: 'Sum' },
  ),
  widget(
    'Lambda duration p90 (ms): metrics functions',
    [
      ['AWS/Lambda', 'Duration', 'FunctionName', n.consumer, { stat: 'p90' }],
      ['AWS/Lambda', 'Duration', 'FunctionName', n.api, { stat: 'p90' }],
      ['AWS/Lambda', 'Errors', 'FunctionName', n.consumer, { stat: 'Sum', yAxis: 'right' }],
      ['AWS/Lambda', 'Errors', 'FunctionName', n.api, { stat: 'Sum', yAxis: 'right' }],
    ],
    { period: 300 },
  ),
];

/** The metrics service's own work: the consumer's counts and the table's capacity. */
const consumerWidgets = (n) => [
  widget(
    'Metrics consumer: endings applied, duplicates, failed messages, table writes',
    ['EndingsApplied', 'EndingsDuplicate', 'MessagesFailed', 'TableWriteRequests'].map((metric) => [
      n.namespace,
      metric,
      'service',
      n.service,
      { stat: 'Sum' },
    ]),
    { period: 300 },
  ),
  widget(
    'Metrics table: consumed write and read capacity',
    [
      ['AWS/DynamoDB', 'ConsumedWriteCapacityUnits', 'TableName', n.table, { stat: 'Sum' }],
      ['AWS/DynamoDB', 'ConsumedReadCapacityUnits', 'TableName', n.table, { stat: 'Sum' }],
    ],
    { period: 300 },
  ),
];

const WIDTH = 12;
const HEIGHT = 6;

/** Metric widgets laid out two per row, in order. */
const layOut = (region, widgets) =>
  widgets.map(({ title, metrics, extra }, slot) => ({
    type: 'metric',
    x: (slot % 2) * WIDTH,
    y: Math.floor(slot / 2) * HEIGHT,
    width: WIDTH,
    height: HEIGHT,
    properties: { title, region, view: 'timeSeries', stacked: false, metrics, ...extra },
  }));

const dashboardBody = async (resolver) => {
  const names = await resolveNames(resolver);
  return joinWithSlots({
    widgets: layOut(names.region, [
      ...businessWidgets(names),
      ...deliveryWidgets(names),
      ...serviceWidgets(names),
      ...consumerWidgets(names),
    ]),
  });
};

module.exports = { dashboardBody, joinWithSlots };
