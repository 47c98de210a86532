import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** A local endpoint's HTTP server. */
export interface LoopbackServer {
  endpoint: string;
  /** Drops the open connections and closes the server. */
  stop(): Promise<void>;
}

/**
 * Serves `handle` on 127.0.0.1:`port` (0: a free one); a request whose handler throws is answered with a bare
 * 500. Rejects when the port cannot be listened on.
 */
export const listenOnLoopback = async (
  port: number,
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<unknown>,
): Promise<LoopbackServer> => {
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  // The port listened on: `port`, or the one the system chose for 0.
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    endpoint: `http://127.0.0.1:${bound}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
