/*
 * In-memory ports for the publisher's unit tests (imported by tests only, never by a handler).
 * Each fake keeps the contract of the real adapter: the connections table's sparse indexes
 * (`shopId`, `ownerId` of customer views) and TTL filter, a management API that answers `gone`
 * for connections it does not know.
 */
import type { Identity } from '@espresso/schemas';
import type { Connections, Listener } from '../adapters/connections';
import type { DeadLetters } from '../adapters/deadLetters';
import type { Screens } from '../adapters/screens';
import type { Tokens } from '../adapters/tokens';
import type { Connection } from '../domain/connection';
import type { ConnectPorts } from '../use-cases/ports';

export const NOW = new Date('2026-11-24T10:00:00.000Z');
export const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);

export class FakeConnections implements Connections {
  readonly items = new Map<string, Connection>();

  async put(connection: Connection) {
    this.items.set(connection.connectionId, structuredClone(connection));
  }
  async get(connectionId: string) {
    const item = this.items.get(connectionId);
    return item && structuredClone(item);
  }
  async remove(connectionId: string) {
    this.items.delete(connectionId);
  }
  async removeGone(connectionId: string, connectedBefore: string) {
    const item = this.items.get(connectionId);
    if (!item || !(item.connectedAt < connectedBefore)) return false;
    this.items.delete(connectionId);
    return true;
  }
  async watch(connectionId: string, shopId: string) {
    const item = this.items.get(connectionId);
    if (!item) return false;
    item.shopId = shopId;
    return true;
  }
  private live(nowSeconds: number, match: (c: Connection) => boolean): Listener[] {
    return [...this.items.values()]
      .filter((c) => c.expiresAt > nowSeconds && match(c))
      .map((c) => ({ connectionId: c.connectionId, view: c.view }));
  }
  async watching(shopId: string, nowSeconds: number) {
    return this.live(nowSeconds, (c) => c.shopId === shopId);
  }
  async ownedBy(sub: string, nowSeconds: number) {
    return this.live(nowSeconds, (c) => c.view === 'customer' && c.sub === sub);
  }
}

/** A management API: open connections receive; `failing` ones throw `failures` times first. */
export class FakeScreens implements Screens {
  readonly open = new Set<string>();
  readonly received = new Map<string, unknown[]>();
  readonly failing = new Map<string, number>();
  calls = 0;

  async post(connectionId: string, data: string) {
    this.calls++;
    const left = this.failing.get(connectionId) ?? 0;
    if (left > 0) {
      this.failing.set(connectionId, left - 1);
      throw Object.assign(new Error('throttled'), { $metadata: { httpStatusCode: 429 } });
    }
    if (!this.open.has(connectionId)) return 'gone' as const;
    this.received.set(connectionId, [...(this.received.get(connectionId) ?? []), JSON.parse(data)]);
    return 'sent' as const;
  }
  of(connectionId: string) {
    return (this.received.get(connectionId) ?? []) as {
      type: string;
      detail: Record<string, unknown>;
    }[];
  }
}

export class FakeDeadLetters implements DeadLetters {
  readonly sent: { event: unknown; reason: string }[] = [];
  async send(event: unknown, reason: string) {
    this.sent.push({ event, reason });
  }
}

/** Tokens are `valid:<json identity>`; anything else is invalid. */
export const fakeTokens: Tokens = {
  async verify(token) {
    return token.startsWith('valid:') ? (JSON.parse(token.slice(6)) as Identity) : undefined;
  },
};
export const tokenOf = (identity: Identity) => `valid:${JSON.stringify(identity)}`;

export const fakePorts = () => {
  const sleeps: number[] = [];
  const ports = {
    connections: new FakeConnections(),
    screens: new FakeScreens(),
    tokens: fakeTokens,
    deadLetters: new FakeDeadLetters(),
    now: () => NOW,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
  } satisfies ConnectPorts;
  return { ...ports, sleeps };
};
