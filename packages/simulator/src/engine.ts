import { type DuplicateCount, duplicatingHttp, ordersApi } from './api';
import { baristaAtWork, type Staff } from './barista';
import { Board } from './board';
import { customerInLine } from './customer';
import { QrDisplay } from './display';
import { drain } from './drain';
import { createHttp, type RequestLog } from './http';
import { Ledger } from './ledger';
import type { SimulationOptions, SimulationResult } from './model';
import { receivePush } from './pushes';
import { runResult } from './result';
import type { Run } from './run';
import { readShop } from './shop';
import { openScreen, type Screen } from './socket';
import { seededRandom } from './stats';

export {
  expectedStatus,
  type Intent,
  type Progress,
  type SimOrder,
  type SimulationOptions,
  type SimulationResult,
} from './model';

/**
 * Runs a busy shop against a stack: `customers` redeem the display's QR code, choose a drink from
 * the menu after a think time (or abandon), `baristas` hear new orders on the publisher's
 * WebSocket (polling the queue when pushes are missing), claim them and complete or cancel them.
 * Resolves once every order ended (or the drain timed out) with what happened and the figures.
 */
export const simulate = async (options: SimulationOptions): Promise<SimulationResult> => {
  const { target, shopId } = options;
  const seed = options.seed ?? 1;
  const runId = options.runId ?? `sim${Date.now().toString(36)}`;
  const log: RequestLog = { requests: {}, ms: {}, errors: [] };
  const http = createHttp(log);
  const duplicates: DuplicateCount = { sent: 0, answers: {} };
  const change = duplicatingHttp(http, options.duplicateRate ?? 0, seed, duplicates);
  if (options.orders === undefined && options.durationMs === undefined) {
    throw new Error('give a number of orders or a duration');
  }
  const shop = await readShop(target, http, shopId);
  if (!shop) throw new Error(`shop ${shopId} does not exist`);
  const run: Run = {
    options,
    shopId,
    runId,
    random: seededRandom(seed),
    api: ordersApi(target, shopId, http, change),
    ledger: new Ledger(Date.now(), options.orders, options.onProgress),
    board: new Board(),
    taken: new Map(),
    pollIntervalMs: options.pollIntervalMs ?? 2000,
    customerTimeoutMs: shop.timeouts.customerSeconds * 1000,
    phase: 'placing',
    nextIndex: 0,
    pushesReceived: 0,
    lastQueueRead: 0,
  };
  const displayToken = await target.token({ role: 'display', shopId, sub: `${runId}-display` });
  const display = new QrDisplay(run.api, displayToken);
  const staff = await baristaTablets(run);
  const screens = await openScreens(run, staff);

  const baristas = staff.map((s) => baristaAtWork(run, s));
  await Promise.all(
    Array.from({ length: options.customers }, () =>
      customerInLine(run, { menu: shop.menu, display }),
    ),
  );
  run.phase = 'draining';
  run.board.nudge();
  const drainMs = options.drainTimeoutMs ?? run.customerTimeoutMs + 30_000;
  await drain(run, staff[0]?.token ?? displayToken, Date.now() + drainMs);
  run.phase = 'stopped';
  run.board.nudge();
  await Promise.all(baristas);
  await Promise.all(screens.map((s) => s.close()));

  return runResult({
    shopId,
    runId,
    orders: run.ledger.orders,
    log,
    startedAt: run.ledger.startedAt,
    pushesReceived: run.pushesReceived,
    duplicates,
  });
};

/** A token for each barista of the run. */
const baristaTablets = (run: Run): Promise<Staff[]> =>
  Promise.all(
    Array.from({ length: run.options.baristas }, async (_, i) => {
      const sub = `${run.runId}-barista-${i + 1}`;
      const token = await run.options.target.token({ role: 'barista', shopId: run.shopId, sub });
      return { token, sub };
    }),
  );

/** Each barista's screen on the publisher's WebSocket, one after the other (none without it). */
const openScreens = async (run: Run, staff: Staff[]): Promise<Screen[]> => {
  const screens: Screen[] = [];
  const url = run.options.target.ws;
  if (!url) return screens;
  for (const { token } of staff) {
    screens.push(await openScreen(url, token, (push) => receivePush(run, push)));
  }
  return screens;
};
