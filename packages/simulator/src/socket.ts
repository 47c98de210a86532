import WebSocket from 'ws';

/** A push as a screen receives it: `{type, detail, at}` plus when it arrived (epoch ms). */
export interface Push {
  type: string;
  detail: Record<string, unknown>;
  at: string;
  receivedAt: number;
}

export interface Screen {
  close(): Promise<void>;
}

/** Opens the publisher's WebSocket (`?token=`) and calls `onPush` with every pushed message. */
export const openScreen = (
  url: string,
  token: string,
  onPush: (push: Push) => void,
): Promise<Screen> => {
  const socket = new WebSocket(`${url}?${new URLSearchParams({ token })}`);
  socket.on('message', (data) => {
    const receivedAt = Date.now();
    let parsed: Partial<Push>;
    try {
      parsed = JSON.parse(String(data)) as Partial<Push>;
    } catch {
      return;
    }
    if (typeof parsed.type !== 'string' || !parsed.detail) return;
    onPush({ type: parsed.type, detail: parsed.detail, at: String(parsed.at), receivedAt });
  });
  const screen: Screen = {
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.once('close', () => resolve());
        socket.close();
        setTimeout(() => {
          socket.terminate();
          resolve();
        }, 2000).unref();
      }),
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(screen));
    socket.once('unexpected-response', (_req, res) => {
      socket.terminate();
      reject(new Error(`WebSocket handshake refused: ${res.statusCode}`));
    });
    socket.once('error', reject);
  });
};
