import type { PublicShopConfig, QueueResponse } from '@espresso/schemas';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useApp } from './context';
import { concerns, type LiveMessage, type LiveState, singleFlight, startLive } from './logic/live';

/** The current time, re-rendered every `everyMs`. */
export const useNow = (everyMs = 1000): number => {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
};

export interface LiveStatus {
  state: LiveState;
  /** The type of the last message the WebSocket delivered (any, relevant or not). */
  last: string | undefined;
  /** Re-reads now (never overlapping a running re-read). */
  refresh: () => void;
}

/**
 * Keeps a screen current through the `live` module: pushes from the publisher's WebSocket when
 * /config.json names one, polling otherwise. `refresh` re-reads the screen's API state; calls
 * never overlap. Restarts when `key` changes. `shopId` asks the publisher to watch that shop
 * (needed by an admin of every shop); `delayMs` delays re-reads after a message.
 */
export const useLive = (
  key: string,
  refresh: () => Promise<void>,
  relevant?: (message: LiveMessage) => boolean,
  options: { shopId?: string; delayMs?: number } = {},
): LiveStatus => {
  const { config, session } = useApp();
  const [state, setState] = useState<LiveState>('connecting');
  const [last, setLast] = useState<string>();
  const { shopId, delayMs } = options;
  const latest = useRef({ refresh, relevant });
  latest.current = { refresh, relevant };
  const token = session?.token;
  const run = useMemo(() => singleFlight(() => latest.current.refresh()), []);
  useEffect(() => {
    return startLive({
      websocketUrl: config.websocketUrl,
      token,
      refresh: () => void run(),
      relevant: (message) => latest.current.relevant?.(message) ?? true,
      onState: setState,
      onMessage: (message) => setLast(message.type),
      ...(shopId ? { params: { shopId } } : {}),
      ...(delayMs ? { delayMs } : {}),
    });
  }, [key, config.websocketUrl, token, run, shopId, delayMs]);
  const refreshNow = useMemo(() => () => void run(), [run]);
  return { state, last, refresh: refreshNow };
};

export interface LiveLoad extends LiveStatus {
  /** The failure of the last re-read; a re-read that succeeds clears it. */
  loadError: unknown;
  setLoadError: (error: unknown) => void;
  /** Re-reads now and waits for it (after an action; may overlap a live re-read). */
  reread: () => Promise<void>;
}

/** `useLive` over a screen's re-read whose failure the screen shows (`loadError`). */
/** What `useLive` takes after the key and the re-read: which messages matter, and options. */
type LiveWatch = Parameters<typeof useLive> extends [string, unknown, ...infer Rest] ? Rest : never;

export const useLiveLoad = (
  key: string,
  load: () => Promise<void>,
  ...watch: LiveWatch
): LiveLoad => {
  const [loadError, setLoadError] = useState<unknown>();
  const reread = async () => {
    try {
      await load();
      setLoadError(undefined);
    } catch (failure) {
      setLoadError(failure);
    }
  };
  const live = useLive(key, reread, ...watch);
  return { ...live, loadError, setLoadError, reread };
};

/**
 * A screen's actions, one at a time: `perform(what, action)` marks `what` busy (an order id, the
 * shop, or `true`), clears the last failure, runs the action and keeps its failure to show.
 */
export const useAction = <Busy>() => {
  const [busy, setBusy] = useState<Busy>();
  const [actionError, setActionError] = useState<unknown>();
  const perform = async (what: Busy, action: () => Promise<void>): Promise<void> => {
    setBusy(what);
    setActionError(undefined);
    try {
      await action();
    } catch (failure) {
      setActionError(failure);
    } finally {
      setBusy(undefined);
    }
  };
  return { busy, actionError, perform };
};

/**
 * A staff screen of a shop kept live: the shop's config and queue, re-read on the shop's
 * messages; `afterRead` reads what else the screen shows (with the config just read).
 */
export const useShopFloor = (
  screen: string,
  shopId: string,
  afterRead?: (shop: PublicShopConfig) => Promise<void>,
) => {
  const { api } = useApp();
  const [shop, setShop] = useState<PublicShopConfig>();
  const [queue, setQueue] = useState<QueueResponse>();
  const live = useLiveLoad(
    `${screen}/${shopId}`,
    async () => {
      const [s, q] = await Promise.all([api.shopConfig(shopId), api.queue(shopId)]);
      setShop(s);
      setQueue(q);
      await afterRead?.(s);
    },
    (m) => concerns(m, { shopId }),
    { shopId },
  );
  return { ...live, shop, setShop, queue };
};
