import { parseArgs } from 'node:util';

export interface SimulateArgs {
  shop: string;
  customers: number;
  baristas: number;
  orders?: number;
  durationMs?: number;
  cancelRate: number;
  abandonRate: number;
  duplicateRate: number;
  thinkTimeMs: [number, number];
  makeTimeMs: [number, number];
  seed: number;
  setup: boolean;
  customerTimeout?: number;
  endpoints: string;
  configUrl?: string;
  ordersUrl?: string;
  wsUrl?: string;
  tokens?: string;
  json: boolean;
}

/** `500ms`, `2s`, `1.5s`, `1m`; a bare number is seconds. */
export const parseDuration = (text: string): number => {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new Error(`not a duration: ${text} (e.g. 500ms, 2s, 1m)`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return Math.round(value * (unit === 'ms' ? 1 : unit === 's' ? 1000 : 60_000));
};

/** `2s` → [2000, 2000]; `1s-3s` or `1-3s` → [1000, 3000]. */
export const parseRange = (text: string): [number, number] => {
  const [a = '', b] = text.split('-');
  if (b === undefined) {
    const v = parseDuration(a);
    return [v, v];
  }
  const unit = /[a-z]+$/.exec(b)?.[0] ?? 's';
  const min = parseDuration(/[a-z]$/.test(a) ? a : `${a}${unit}`);
  const max = parseDuration(b);
  if (min > max) throw new Error(`range ${text}: the minimum is above the maximum`);
  return [min, max];
};

const whole = (name: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
  return n;
};

const share = (name: string, text: string): number => {
  const n = Number(text);
  if (!(n >= 0 && n <= 1)) throw new Error(`--${name} must be between 0 and 1`);
  return n;
};

export const SIMULATE_USAGE = `pnpm simulate [options]
  --shop <id>              shop to simulate (default sim; created with a busy-shop config if missing)
  --customers <n>          customers placing orders at once (default 4)
  --baristas <n>           baristas (default 2)
  --orders <n>             stop after n orders (default 40 unless --duration)
  --duration <d>           or stop placing orders after d (30s, 2m)
  --cancel-rate <0..1>     share of orders the barista cancels (default 0.1)
  --abandon-rate <0..1>    share of orders the customer never chooses a drink for (default 0.05)
  --duplicate-rate <0..1>  share of choices, claims, completes and cancels sent twice at once
                           (a phone retrying a request whose answer it lost; default 0)
  --think-time <d|a-b>     the customer's pause before choosing (default 0.5s-2s)
  --make-time <d|a-b>      the barista's time per drink (default 0.2s-1s)
  --customer-timeout <s>   first set the shop's customer timeout (admin; at least 5)
  --setup                  first (re)create the shop with the busy-shop config
  --seed <n>               seed of the run plan (default 1)
  --endpoints <file>       the local stack (default .local/endpoints.json)
  --config-url <url> --orders-url <url> --ws-url <url> --tokens <file.json>
                           a deployed stage instead (or ESPRESSO_CONFIG_URL, ESPRESSO_ORDERS_URL,
                           ESPRESSO_WS_URL, ESPRESSO_TOKENS)
  --json                   print the whole result as JSON`;

/** The `pnpm simulate` command line; throws with a message naming the bad flag. */
export const parseSimulateArgs = (
  argv: string[],
  defaultEndpoints: string,
  env: Record<string, string | undefined> = {},
): SimulateArgs => {
  const { values } = parseArgs({
    args: argv,
    options: {
      shop: { type: 'string', default: 'sim' },
      customers: { type: 'string', default: '4' },
      baristas: { type: 'string', default: '2' },
      orders: { type: 'string' },
      duration: { type: 'string' },
      'cancel-rate': { type: 'string', default: '0.1' },
      'abandon-rate': { type: 'string', default: '0.05' },
      'duplicate-rate': { type: 'string', default: '0' },
      'think-time': { type: 'string', default: '0.5s-2s' },
      'make-time': { type: 'string', default: '0.2s-1s' },
      'customer-timeout': { type: 'string' },
      setup: { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
      endpoints: { type: 'string', default: defaultEndpoints },
      'config-url': { type: 'string' },
      'orders-url': { type: 'string' },
      'ws-url': { type: 'string' },
      tokens: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const durationMs = values.duration === undefined ? undefined : parseDuration(values.duration);
  const orders = whole('orders', values.orders) ?? (durationMs === undefined ? 40 : undefined);
  const customerTimeout = whole('customer-timeout', values['customer-timeout']);
  if (customerTimeout !== undefined && customerTimeout < 5) {
    throw new Error('--customer-timeout must be at least 5 (the config API refuses less)');
  }
  const cancelRate = share('cancel-rate', values['cancel-rate']);
  const abandonRate = share('abandon-rate', values['abandon-rate']);
  if (cancelRate + abandonRate > 1) throw new Error('--cancel-rate + --abandon-rate exceed 1');
  const customers = whole('customers', values.customers) ?? 4;
  const baristas = whole('baristas', values.baristas) ?? 2;
  if (customers < 1 || baristas < 1) throw new Error('--customers and --baristas must be >= 1');
  const configUrl = values['config-url'] ?? env.ESPRESSO_CONFIG_URL;
  const ordersUrl = values['orders-url'] ?? env.ESPRESSO_ORDERS_URL;
  const wsUrl = values['ws-url'] ?? env.ESPRESSO_WS_URL;
  const tokens = values.tokens ?? env.ESPRESSO_TOKENS;
  return {
    shop: values.shop,
    customers,
    baristas,
    ...(orders === undefined ? {} : { orders }),
    ...(durationMs === undefined ? {} : { durationMs }),
    cancelRate,
    abandonRate,
    duplicateRate: share('duplicate-rate', values['duplicate-rate']),
    thinkTimeMs: parseRange(values['think-time']),
    makeTimeMs: parseRange(values['make-time']),
    seed: whole('seed', values.seed) ?? 1,
    setup: values.setup,
    ...(customerTimeout === undefined ? {} : { customerTimeout }),
    endpoints: values.endpoints,
    ...(configUrl ? { configUrl } : {}),
    ...(ordersUrl ? { ordersUrl } : {}),
    ...(wsUrl ? { wsUrl } : {}),
    ...(tokens ? { tokens } : {}),
    json: values.json,
  };
};
