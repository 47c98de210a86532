import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  freePort,
  LOCAL_ACCOUNT_ID,
  LOCAL_REGION,
  localClientConfig,
  startLocalEventBridge,
  startLocalSqs,
} from '@espresso/local-cloud';
import { table } from '@espresso/simulator';
import { type BenchResult, machine } from './run';

/**
 * `pnpm bench --only hops`: what one of the local cloud's calls to itself costs — a workflow's
 * PutEvents to the local bus, a rule's SendMessage to a local queue — made as the local cloud
 * makes them (an AWS SDK client over loopback HTTP to an endpoint in the same process). Client
 * and endpoint share the process, so its CPU time is the hop's whole cost: what serving the
 * same call in-process, without SDK and HTTP, would save at most.
 */
export interface HopFigures {
  hop: string;
  /** Calls in flight at once. */
  concurrency: number;
  calls: number;
  /** This process's CPU (user + system) per call, ms. */
  cpuMsPerCall: number;
  wallMsPerCall: number;
  /** What the endpoint took: events the bus accepted, messages the queue holds (= calls). */
  accepted: number;
}

export interface HopsResult {
  at: string;
  machine: BenchResult['machine'];
  hops: HopFigures[];
}

/** An event of the size the OrderManager puts (a claim), with the ARNs Step Functions appends. */
const claimEntry = (busName: string) => ({
  Source: 'espresso.orders',
  DetailType: 'OrderManager.OrderClaimed',
  EventBusName: busName,
  Detail: JSON.stringify({
    shopId: 'bench-shop',
    orderId: '01JF3Z8Q4W6T9V2X5B7N1M3K8P',
    orderNumber: 12,
    drink: { drinkId: 'latte', modifiers: { Milk: 'Oat', Size: 'Large' } },
    customerId: 'customer-0001',
    baristaId: 'barista-0001',
    claimedAt: new Date(0).toISOString(),
  }),
  Resources: [
    `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stateMachine:espresso-orders-local-order-manager`,
    `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:express:espresso-orders-local-order-manager:bench:bench`,
  ],
});

/** Runs `call` `calls` times, `concurrency` at a time; this process's CPU and wall per call. */
const measure = async (call: () => Promise<unknown>, calls: number, concurrency: number) => {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let done = 0; done < calls; done += concurrency) {
    await Promise.all(Array.from({ length: Math.min(concurrency, calls - done) }, call));
  }
  const used = process.cpuUsage(cpu);
  return {
    cpuMsPerCall: (used.user + used.system) / 1000 / calls,
    wallMsPerCall: (performance.now() - started) / calls,
  };
};

/** Measures each hop at 1 and 4 calls in flight, after `calls` warm-up calls of each. */
export const runHopsOnly = async (calls: number): Promise<HopsResult> => {
  const at = new Date().toISOString();
  const where = { region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID };
  const busName = 'bench-bus';
  const bus = await startLocalEventBridge({ ...where, port: await freePort(), buses: [busName] });
  const sqs = await startLocalSqs({ ...where, port: await freePort() });
  const events = new EventBridgeClient(localClientConfig(bus.endpoint));
  const queues = new SQSClient(localClientConfig(sqs.endpoint));
  let busAccepted = 0;
  const unsubscribe = bus.subscribe(() => {
    busAccepted++;
  });
  try {
    const { QueueUrl } = await queues.send(new CreateQueueCommand({ QueueName: 'bench-hops' }));
    const entry = claimEntry(busName);
    const messageBody = JSON.stringify({ version: '0', id: 'bench', detail: entry.Detail });
    const hops: { hop: string; call: () => Promise<unknown>; accepted: () => Promise<number> }[] = [
      {
        hop: 'PutEvents to the local bus (a workflow → EventBridge)',
        call: () => events.send(new PutEventsCommand({ Entries: [entry] })),
        accepted: async () => busAccepted,
      },
      {
        hop: 'SendMessage to a local queue (a rule → SQS)',
        call: () => queues.send(new SendMessageCommand({ QueueUrl, MessageBody: messageBody })),
        accepted: async () => {
          const depth = (await sqs.depths()).find((q) => q.name === 'bench-hops');
          return depth ? depth.visible + depth.inFlight + depth.delayed : 0;
        },
      },
    ];
    const figures: HopFigures[] = [];
    for (const { hop, call, accepted } of hops) {
      await measure(call, calls, 4); // warm-up: the JIT, the sockets
      for (const concurrency of [1, 4]) {
        const before = await accepted();
        const m = await measure(call, calls, concurrency);
        figures.push({ hop, concurrency, calls, ...m, accepted: (await accepted()) - before });
      }
    }
    return { at, machine: machine(), hops: figures };
  } finally {
    unsubscribe();
    events.destroy();
    queues.destroy();
    await bus.stop();
    await sqs.stop();
  }
};

/** `pnpm bench --only hops`, printed. */
export const hopsReport = (r: HopsResult): string =>
  [
    `pnpm bench --only hops — ${r.at} — ${r.machine.cpus} CPUs, Node ${r.machine.node}`,
    '',
    table([
      [
        'hop (AWS SDK over loopback, endpoint in the same process)',
        'in flight',
        'calls',
        'CPU ms a call',
        'wall ms a call',
      ],
      ...r.hops.map((h) => [
        h.hop,
        String(h.concurrency),
        String(h.calls),
        h.cpuMsPerCall.toFixed(3),
        h.wallMsPerCall.toFixed(3),
      ]),
    ]),
    '',
    'The CPU is the whole process: client and endpoint. Serving the call in-process would save at most that.',
  ].join('\n');
