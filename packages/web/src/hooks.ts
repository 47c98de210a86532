import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useApp } from './context';
import { type LiveMessage, type LiveState, singleFlight, startLive } from './logic/live';

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
