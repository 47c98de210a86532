/*
 * Hand-written fake ports for the use-case and handler tests, and the tests that hold the fake
 * table to the contract of the real one (src/adapters/shopsTable.ts): every write conditional
 * on the version read, `VersionConflict` when it changed, `setOpen` only on an existing shop.
 */
import {
  type ConfigChangedDetail,
  EVENT_DETAIL_SCHEMAS,
  type Identity,
  type PutShopConfigBody,
  PutShopConfigBodySchema,
  type ShopConfig,
  ShopConfigSchema,
  type ShopSummary,
} from '@espresso/schemas';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import type { ConfigBus } from '../adapters/bus';
import { type ShopsTable, VersionConflict } from '../adapters/shopsTable';
import type { ConfigChange, ShopConfigInput } from '../domain/shopConfig';
import { announceConfigChange } from './announceConfigChange';
import type { Ports } from './ports';

/**
 * The config table in memory, with the real table's conditional-write semantics, and its
 * stream: `stream` is called with the old and new image of every write (as the real table's
 * stream feeds `announceConfigChanges`).
 */
export class InMemoryShopsTable implements ShopsTable {
  private readonly items = new Map<string, ShopConfig>();
  /** Runs just before each conditional put, as another writer between our read and write. */
  beforePut: (() => void) | undefined;
  stream: ((before: unknown, after: unknown) => Promise<void>) | undefined;

  constructor(...shops: ShopConfig[]) {
    for (const shop of shops) this.items.set(shop.shopId, structuredClone(shop));
  }

  /** What is stored now (a copy), for assertions. */
  stored(shopId: string): ShopConfig | undefined {
    const item = this.items.get(shopId);
    return item && structuredClone(item);
  }

  /** Writes `config` unconditionally, as another writer whose condition held. */
  overwrite(config: ShopConfig): void {
    this.items.set(config.shopId, structuredClone(config));
  }

  async get(shopId: string): Promise<ShopConfig | undefined> {
    return this.stored(shopId);
  }

  async put(
    config: ShopConfig,
    expectedVersion: number | undefined,
    change: ConfigChange,
  ): Promise<void> {
    this.beforePut?.();
    const before = this.items.get(config.shopId);
    if (before?.version !== expectedVersion) {
      throw new VersionConflict(config.shopId);
    }
    const after = structuredClone(ShopConfigSchema.parse(config));
    this.items.set(config.shopId, after);
    await this.stream?.(before && structuredClone(before), {
      ...structuredClone(after),
      lastChange: change,
    });
  }

  async setOpen(shopId: string, open: boolean, at: string): Promise<ShopConfig | undefined> {
    const item = this.items.get(shopId);
    if (!item) return undefined;
    const updated = { ...item, open, updatedAt: at, version: item.version + 1 };
    this.items.set(shopId, updated);
    await this.stream?.(structuredClone(item), {
      ...structuredClone(updated),
      lastChange: open ? 'OPENED' : 'CLOSED',
    });
    return structuredClone(updated);
  }

  async list(): Promise<ShopSummary[]> {
    return [...this.items.values()]
      .map(({ shopId, name, open, updatedAt }) => ({ shopId, name, open, updatedAt }))
      .sort((a, b) => a.shopId.localeCompare(b.shopId));
  }
}

/** A bus that keeps what it was asked to emit. */
export class RecordingBus implements ConfigBus {
  readonly details: ConfigChangedDetail[] = [];

  async configChanged(detail: ConfigChangedDetail): Promise<void> {
    this.details.push(structuredClone(detail));
  }

  /** Every emitted detail, each parsed with the event's contract (throws if one breaks it). */
  parsedDetails(): ConfigChangedDetail[] {
    return this.details.map((detail) =>
      EVENT_DETAIL_SCHEMAS['ConfigService.ConfigChanged'].parse(detail),
    );
  }
}

/** A clock whose every call is one second after the previous one, from `start`. */
export const steppingClock = (start = '2026-11-24T08:00:00.000Z') => {
  let next = Date.parse(start);
  return () => {
    const now = new Date(next).toISOString();
    next += 1000;
    return now;
  };
};

export const fakePorts = (...shops: ShopConfig[]) => {
  const table = new InMemoryShopsTable(...shops);
  const bus = new RecordingBus();
  const ports: Ports = { shops: table, bus, now: steppingClock() };
  // The table's stream, announced as on AWS.
  table.stream = async (before, after) => {
    await announceConfigChange(ports, before, after);
  };
  return { ports, table, bus };
};

export const T0 = '2026-11-01T09:00:00.000Z';

/** A whole-config body as an admin sends it (defaults not yet applied). */
export const shopBody = (overrides: Partial<PutShopConfigBody> = {}): PutShopConfigBody => ({
  name: 'Corner Cafe',
  open: false,
  menu: [
    {
      drinkId: 'latte',
      name: 'Latte',
      icon: 'latte',
      available: true,
      modifiers: [{ name: 'Milk', options: ['Regular', 'Oat'] }],
    },
    { drinkId: 'espresso', name: 'Espresso', icon: 'espresso', available: true },
  ],
  ...overrides,
});

/** The same body as the use case receives it: parsed, defaults applied. */
export const shopInput = (overrides: Partial<PutShopConfigBody> = {}): ShopConfigInput =>
  PutShopConfigBodySchema.parse(shopBody(overrides));

/** A stored config, version 1 created at T0 unless overridden. */
export const storedShop = (shopId: string, overrides: Partial<ShopConfig> = {}): ShopConfig =>
  ShopConfigSchema.parse({
    shopId,
    ...shopInput(),
    version: 1,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  });

/** Who calls, for authorization matrices; staff belong to shop `cafe` unless named otherwise. */
export const callers = {
  customer: { sub: 'customer-1', groups: [], shopId: undefined },
  display: { sub: 'display-1', groups: ['display'], shopId: 'cafe' },
  barista: { sub: 'barista-1', groups: ['barista'], shopId: 'cafe' },
  baristaOfOtherShop: { sub: 'barista-2', groups: ['barista'], shopId: 'other' },
  admin: { sub: 'admin-1', groups: ['admin'], shopId: 'cafe' },
  adminOfOtherShop: { sub: 'admin-2', groups: ['admin'], shopId: 'other' },
  adminOfEveryShop: { sub: 'admin-3', groups: ['admin'], shopId: '*' },
} satisfies Record<string, Identity>;
export type Caller = keyof typeof callers;

describe('fake ports (held to the ShopsTable contract)', () => {
  it('creates only a shop that does not exist yet', async () => {
    const table = new InMemoryShopsTable(storedShop('cafe'));

    await table.put(storedShop('new-shop'), undefined, 'CREATED');

    expect(table.stored('new-shop')?.version).to.equal(1);
    let error: unknown;
    await table.put(storedShop('cafe'), undefined, 'CREATED').catch((e: unknown) => {
      error = e;
    });
    expect(error).to.be.instanceOf(VersionConflict);
  });

  it('replaces a shop only at the version that was read', async () => {
    const table = new InMemoryShopsTable(storedShop('cafe', { version: 2 }));

    let error: unknown;
    await table.put(storedShop('cafe', { version: 2 }), 1, 'UPDATED').catch((e: unknown) => {
      error = e;
    });
    expect(error).to.be.instanceOf(VersionConflict);
    await table.put(storedShop('cafe', { version: 3, name: 'New' }), 2, 'UPDATED');
    expect(table.stored('cafe')).to.include({ version: 3, name: 'New' });
  });

  it('opens only an existing shop, with a new version and time', async () => {
    const table = new InMemoryShopsTable(storedShop('cafe'));

    expect(await table.setOpen('nowhere', true, T0)).to.equal(undefined);
    const opened = await table.setOpen('cafe', true, '2026-11-02T00:00:00.000Z');
    expect(opened).to.include({ open: true, version: 2, updatedAt: '2026-11-02T00:00:00.000Z' });
  });

  it('lists summaries sorted by shop id', async () => {
    const table = new InMemoryShopsTable(storedShop('zeta'), storedShop('alpha'));

    expect((await table.list()).map((s) => s.shopId)).to.deep.equal(['alpha', 'zeta']);
  });
});
