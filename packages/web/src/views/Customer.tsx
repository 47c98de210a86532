import type {
  Menu,
  ModifierChoice,
  Order,
  OrderJourney,
  OrderStatus,
  PublicShopConfig,
} from '@espresso/schemas';
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  ConfirmButton,
  Countdown,
  DrinkIcon,
  ErrorNote,
  LiveBadge,
  Timeline,
} from '../components/common';
import { navigate, useApp } from '../context';
import { useAction, useLiveLoad, useNow } from '../hooks';
import { retryTransient } from '../logic/errors';
import { concerns } from '../logic/live';
import { defaultModifiers, drinkName, modifiersText } from '../logic/queue';
import { href } from '../logic/route';
import { customerMayCancel, customerStatus, statusLabel } from '../logic/status';
import { customerDeadline, secondsUntil } from '../logic/time';

/** `#/shop/<shopId>/order?code=…`: redeem the display's code (from the QR link or typed). */
export const OrderStart = ({ shopId, code }: { shopId: string; code?: string | undefined }) => {
  const { api } = useApp();
  const [shop, setShop] = useState<PublicShopConfig>();
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const redeemed = useRef<string | undefined>(undefined);
  /** One Idempotency-Key per code: a retry (or a second tap after a lost answer) is one order. */
  const keys = useRef(new Map<string, string>());

  useEffect(() => {
    api.shopConfig(shopId).then(setShop, setError);
  }, [api, shopId]);

  const redeem = async (qrCode: string) => {
    setBusy(true);
    setError(undefined);
    try {
      const idempotencyKey = keys.current.get(qrCode) ?? crypto.randomUUID();
      keys.current.set(qrCode, idempotencyKey);
      const { orderId } = await retryTransient(() =>
        api.newOrder(shopId, { qrCode }, idempotencyKey),
      );
      navigate(href({ view: 'order', shopId, orderId }), true);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    if (code && redeemed.current !== code) {
      redeemed.current = code;
      void redeem(code);
    }
  });

  return (
    <main id="main" tabIndex={-1} class="customer">
      <h1>{shop?.name ?? 'Order a drink'}</h1>
      {shop && !shop.open ? (
        <p class="closed-note" role="status">
          The shop is closed right now. Come back soon!
        </p>
      ) : null}
      {busy ? <p role="status">Starting your order…</p> : null}
      <ErrorNote error={error} />
      <form
        class="code-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (typed.trim()) void redeem(typed.trim());
        }}
      >
        <label class="field">
          Code shown under the QR code on the screen
          <input
            name="code"
            value={typed}
            autoComplete="off"
            autoCapitalize="off"
            spellcheck={false}
            required
            onInput={(e) => setTyped(e.currentTarget.value)}
          />
        </label>
        <button type="submit" class="primary" disabled={busy}>
          Start my order
        </button>
      </form>
      <p>
        <a href={href({ view: 'history' })}>My orders</a>
      </p>
    </main>
  );
};

/** The customer's view of the order's status: what it means and the drink chosen. */
const StatusPanel = ({ order, menu }: { order: Order; menu: Menu }) => {
  const view = customerStatus(order);
  return (
    <section
      class={`status-panel tone-${view.tone}`}
      aria-live="polite"
      data-testid="order-status"
      data-status={order.status}
    >
      <h2>{view.label}</h2>
      <p>{view.detail}</p>
      {order.drinkId ? (
        <p class="order-drink">
          {drinkName(menu, order.drinkId)}
          {modifiersText(order.modifiers) ? ` · ${modifiersText(order.modifiers)}` : ''}
        </p>
      ) : null}
    </section>
  );
};

/** The shop's drinks (unavailable ones greyed) and the chosen drink's modifier groups. */
const DrinkMenu = ({
  menu,
  drinkId,
  modifiers,
  onDrink,
  onModifiers,
}: {
  menu: Menu;
  drinkId: string | undefined;
  modifiers: ModifierChoice;
  onDrink: (drinkId: string) => void;
  onModifiers: (modifiers: ModifierChoice) => void;
}) => (
  <>
    <fieldset class="menu">
      <legend>Menu</legend>
      {menu.map((drink) => (
        <label
          key={drink.drinkId}
          class={`drink ${drink.drinkId === drinkId ? 'chosen' : ''} ${drink.available ? '' : 'unavailable'}`}
        >
          <input
            type="radio"
            name="drink"
            value={drink.drinkId}
            disabled={!drink.available}
            checked={drink.drinkId === drinkId}
            onChange={() => onDrink(drink.drinkId)}
          />
          <DrinkIcon icon={drink.icon} />
          <span class="drink-name">{drink.name}</span>
          {drink.available ? null : <span class="muted">Not available</span>}
        </label>
      ))}
    </fieldset>
    {menu
      .find((d) => d.drinkId === drinkId)
      ?.modifiers.map((group) => (
        <fieldset key={group.name} class="modifiers">
          <legend>{group.name}</legend>
          {group.options.map((option) => (
            <label key={option} class={modifiers[group.name] === option ? 'chosen' : ''}>
              <input
                type="radio"
                name={`modifier-${group.name}`}
                value={option}
                checked={modifiers[group.name] === option}
                onChange={() => onModifiers({ ...modifiers, [group.name]: option })}
              />
              {option}
            </label>
          ))}
        </fieldset>
      ))}
  </>
);

/** `#/shop/<shopId>/orders/<orderId>`: choose the drink, then follow the order live. */
export const OrderView = ({ shopId, orderId }: { shopId: string; orderId: string }) => {
  const { api } = useApp();
  const now = useNow();
  const [order, setOrder] = useState<Order>();
  const [shop, setShop] = useState<PublicShopConfig>();
  const [journey, setJourney] = useState<OrderJourney>();
  const { busy, actionError, perform } = useAction<true>();
  const [drinkId, setDrinkId] = useState<string>();
  const [modifiers, setModifiers] = useState<ModifierChoice>({});
  const lastStatus = useRef<OrderStatus | undefined>(undefined);

  const {
    state: live,
    last,
    loadError,
  } = useLiveLoad(
    `${shopId}/${orderId}`,
    async () => {
      const [current, config] = await Promise.all([
        api.order(shopId, orderId),
        shop ? Promise.resolve(shop) : api.shopConfig(shopId),
      ]);
      setOrder(current);
      setShop(config);
      if (lastStatus.current !== current.status) {
        lastStatus.current = current.status;
        setJourney(await api.journey(shopId, orderId));
      }
    },
    (message) => concerns(message, { shopId, orderId }),
  );

  const act = (run: () => Promise<Order>) =>
    perform(true, async () => {
      setOrder(await run());
      setJourney(await api.journey(shopId, orderId).catch(() => journey));
    });

  if (!order || !shop) {
    return (
      <main id="main" tabIndex={-1} class="customer">
        <h1>Your order</h1>
        {loadError ? <ErrorNote error={loadError} /> : <p role="status">Loading your order…</p>}
      </main>
    );
  }

  // A choice kept before the shop's workflow waited (202) is made: no second form.
  const choosing = order.status === 'AWAITING_SELECTION' && order.drinkId === undefined;
  const total = shop.timeouts.customerSeconds;
  const left = secondsUntil(customerDeadline(order.createdAt, total), now);
  const chosen = shop.menu.find((d) => d.drinkId === drinkId);

  return (
    <main id="main" tabIndex={-1} class="customer">
      <div class="title-row">
        <h1>{shop.name}</h1>
        <LiveBadge state={live} last={last} />
      </div>
      <StatusPanel order={order} menu={shop.menu} />
      <ErrorNote error={loadError} />

      {choosing ? (
        <form
          class="menu-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (drinkId) void act(() => api.chooseDrink(shopId, orderId, { drinkId, modifiers }));
          }}
        >
          <Countdown
            secondsLeft={left}
            totalSeconds={total}
            label={left > 0 ? 'Time left to choose' : 'Time is up'}
          />
          <DrinkMenu
            menu={shop.menu}
            drinkId={drinkId}
            modifiers={modifiers}
            onDrink={(id) => {
              setDrinkId(id);
              setModifiers(defaultModifiers(shop.menu, id));
            }}
            onModifiers={setModifiers}
          />
          <ErrorNote error={actionError} />
          <div class="actions">
            <button type="submit" class="primary" disabled={!chosen || busy || left === 0}>
              {chosen ? `Order ${chosen.name}` : 'Choose a drink'}
            </button>
          </div>
        </form>
      ) : (
        <ErrorNote error={actionError} />
      )}

      <div class="actions">
        {customerMayCancel(order.status) ? (
          <ConfirmButton
            label="Cancel order"
            question="Cancel this order?"
            disabled={busy}
            onConfirm={() => void act(() => api.act(shopId, orderId, 'cancel'))}
          />
        ) : null}
        {order.status === 'COMPLETED' ||
        order.status === 'CANCELLED' ||
        order.status === 'TIMED_OUT' ||
        order.status === 'REJECTED' ? (
          <a class="button" href={href({ view: 'order-start', shopId })}>
            Order another drink
          </a>
        ) : null}
        <a href={href({ view: 'history' })}>My orders</a>
      </div>

      <details class="journey" open={!choosing}>
        <summary>Order journey</summary>
        <Timeline steps={journey?.steps ?? []} />
      </details>
    </main>
  );
};

/** `#/history`: the customer's orders, newest first. */
export const History = () => {
  const { api } = useApp();
  const [orders, setOrders] = useState<Order[]>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    api.history().then((h) => setOrders(h.orders), setError);
  }, [api]);
  return (
    <main id="main" tabIndex={-1} class="customer">
      <h1>My orders</h1>
      <ErrorNote error={error} />
      {orders === undefined && !error ? <p role="status">Loading…</p> : null}
      {orders?.length === 0 ? <p>No orders yet.</p> : null}
      <ul class="history">
        {orders?.map((o) => (
          <li key={o.orderId}>
            <a href={href({ view: 'order', shopId: o.shopId, orderId: o.orderId })}>
              {o.orderNumber === undefined ? '' : `#${o.orderNumber} `}
              {o.drinkId ?? 'no drink chosen'}
            </a>{' '}
            <span class={`badge status-${o.status.toLowerCase()}`}>{statusLabel(o.status)}</span>{' '}
            <time class="muted" dateTime={o.createdAt}>
              {new Date(o.createdAt).toLocaleString()}
            </time>
          </li>
        ))}
      </ul>
    </main>
  );
};
