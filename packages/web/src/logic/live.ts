/** A message of the publisher's WebSocket: an EventBridge detail-type, its detail and time. */
export interface LiveMessage {
  type: string;
  detail: Record<string, unknown>;
  at?: string;
}

export const parseLiveMessage = (data: unknown): LiveMessage | undefined => {
  if (typeof data !== 'string') return undefined;
  try {
    const value = JSON.parse(data) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const { type, detail, at } = value as Record<string, unknown>;
    if (typeof type !== 'string' || typeof detail !== 'object' || detail === null) return undefined;
    return {
      type,
      detail: detail as Record<string, unknown>,
      ...(typeof at === 'string' ? { at } : {}),
    };
  } catch {
    return undefined;
  }
};

/** Whether a message concerns a screen of `shopId` (and, when given, only `orderId`). */
export const concerns = (
  message: LiveMessage,
  scope: { shopId?: string; orderId?: string },
): boolean => {
  const { shopId, orderId } = message.detail;
  if (scope.shopId !== undefined && shopId !== undefined && shopId !== scope.shopId) return false;
  if (message.type === 'ConfigService.ConfigChanged') return true;
  if (scope.orderId !== undefined) return orderId === scope.orderId;
  return true;
};

/** Reconnect delay after `attempt` failures: 0.5 s doubling to at most 15 s, with some jitter. */
export const backoffDelay = (attempt: number, random = Math.random): number => {
  const base = Math.min(15_000, 500 * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.75 + 0.5 * random()));
};

export type LiveState = 'live' | 'connecting' | 'polling';

/** How a screen is kept current right now: pushed by the WebSocket, or polled. */
export const liveMode = (state: LiveState): 'push' | 'poll' => (state === 'live' ? 'push' : 'poll');

/** The socket's address: the URL with `token` and any extra parameters (e.g. `shopId`). */
export const socketUrl = (
  url: string,
  token: string | undefined,
  params: Record<string, string> = {},
): string => {
  const query = new URLSearchParams({ ...(token ? { token } : {}), ...params }).toString();
  if (!query) return url;
  return `${url}${url.includes('?') ? '&' : '?'}${query.replace(/\+/g, '%20')}`;
};

export interface LiveOptions {
  /** The publisher's WebSocket (from /config.json); without it the screen polls. */
  websocketUrl?: string | undefined;
  token?: string | undefined;
  /** More query parameters of the socket (e.g. `shopId` for an admin of every shop). */
  params?: Record<string, string>;
  /** Re-reads the screen's state from the APIs. */
  refresh: () => void;
  /** Messages that should trigger a refresh (default: all). */
  relevant?: (message: LiveMessage) => boolean;
  onState?: (state: LiveState) => void;
  /** Every well-formed message received, relevant or not. */
  onMessage?: (message: LiveMessage) => void;
  /**
   * Wait this long after a relevant message before re-reading (messages meanwhile share the
   * one re-read): for state that lags the event, like the metrics' batched counters.
   */
  delayMs?: number;
  /**
   * After the immediate re-read of a message, one more this much later (default 1 s; 0: none):
   * an event may be published a moment before the state it announces can be read (eventually
   * consistent reads, a second write), and connected screens otherwise re-read only every
   * `safetyMs`.
   */
  settleMs?: number;
  /** Polling period without a WebSocket (or while it is down). */
  pollMs?: number;
  /** A slow re-read even while the WebSocket is up, in case a message was missed. */
  safetyMs?: number;
  WebSocketImpl?: { new (url: string): WebSocket };
}

/**
 * Keeps a screen current: with a WebSocket URL it listens, re-reads on every relevant message
 * and after every (re)connection, reconnects with backoff and polls while disconnected;
 * without one it polls. Returns a stop function.
 */
export const startLive = (options: LiveOptions): (() => void) => {
  const pollMs = options.pollMs ?? 1500;
  const safetyMs = options.safetyMs ?? 30_000;
  const relevant = options.relevant ?? (() => true);
  let stopped = false;
  let poller: ReturnType<typeof setInterval> | undefined;
  let reconnect: ReturnType<typeof setTimeout> | undefined;
  let socket: WebSocket | undefined;
  let delayed: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  const settleMs = options.settleMs ?? 1000;

  /** One re-read after `ms`; calls meanwhile share it. */
  const later = (ms: number) => {
    if (delayed !== undefined) return;
    delayed = setTimeout(() => {
      delayed = undefined;
      options.refresh();
    }, ms);
  };
  const onRelevant = () => {
    if (options.delayMs) {
      later(options.delayMs);
      return;
    }
    options.refresh();
    if (settleMs > 0) later(settleMs);
  };

  const poll = (every: number) => {
    if (poller !== undefined) clearInterval(poller);
    poller = setInterval(() => options.refresh(), every);
  };

  const url = options.websocketUrl;
  const Impl = options.WebSocketImpl ?? globalThis.WebSocket;
  if (!url || !Impl) {
    options.onState?.('polling');
    poll(pollMs);
    options.refresh();
  } else {
    const connect = () => {
      if (stopped) return;
      options.onState?.('connecting');
      const ws = new Impl(socketUrl(url, options.token, options.params));
      socket = ws;
      ws.onopen = () => {
        attempt = 0;
        options.onState?.('live');
        poll(safetyMs);
        options.refresh();
      };
      ws.onmessage = (event: MessageEvent) => {
        const message = parseLiveMessage(event.data);
        if (!message) return;
        options.onMessage?.(message);
        if (relevant(message)) onRelevant();
      };
      ws.onclose = () => {
        if (stopped || socket !== ws) return;
        socket = undefined;
        options.onState?.('connecting');
        poll(pollMs);
        reconnect = setTimeout(connect, backoffDelay(attempt++));
      };
      ws.onerror = () => ws.close();
    };
    poll(pollMs);
    options.refresh();
    connect();
  }

  return () => {
    stopped = true;
    if (poller !== undefined) clearInterval(poller);
    if (reconnect !== undefined) clearTimeout(reconnect);
    if (delayed !== undefined) clearTimeout(delayed);
    socket?.close();
    socket = undefined;
  };
};

/**
 * Wraps an async re-read so calls never overlap: a call while one runs schedules exactly one
 * more run after it.
 */
export const singleFlight = (run: () => Promise<void>): (() => Promise<void>) => {
  let running: Promise<void> | undefined;
  let again = false;
  const go = async (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await run().catch(() => undefined);
      } while (again);
    })();
    try {
      await running;
    } finally {
      running = undefined;
    }
  };
  return go;
};
