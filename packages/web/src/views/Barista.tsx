import type { Menu, Order } from '@espresso/schemas';
import type { ComponentChildren } from 'preact';
import type { BaristaAction } from '../api';
import { ConfirmButton, ErrorNote, LiveBadge } from '../components/common';
import { useApp } from '../context';
import { useAction, useNow, useShopFloor } from '../hooks';
import { drinkName, groupQueue, modifiersText } from '../logic/queue';
import { ageColour, formatAge, secondsSince } from '../logic/time';

interface CardProps {
  order: Order;
  menu: Menu | undefined;
  now: number;
  busy: boolean;
  actions: { action: BaristaAction; label: string; primary?: boolean }[];
  cancellable: boolean;
  onAct: (order: Order, action: BaristaAction) => void;
}

const OrderCard = ({ order, menu, now, busy, actions, cancellable, onAct }: CardProps) => {
  const age = secondsSince(order.createdAt, now);
  const name = drinkName(menu, order.drinkId);
  const number = order.orderNumber === undefined ? '—' : `#${order.orderNumber}`;
  return (
    <li
      class={`card age-${order.status === 'COMPLETED' ? 'done' : ageColour(age)}`}
      data-testid="order-card"
      data-order-id={order.orderId}
      aria-label={`Order ${number}, ${name}`}
    >
      <div class="card-head">
        <span class="number">{number}</span>
        <span class="age" title="Time since the order was placed">
          {formatAge(age)}
        </span>
      </div>
      <div class="card-drink">{name}</div>
      <div class="card-mods">{modifiersText(order.modifiers) || 'No extras'}</div>
      <div class="card-actions">
        {actions.map((a) => (
          <button
            key={a.action}
            type="button"
            class={a.primary ? 'primary' : ''}
            disabled={busy}
            onClick={() => onAct(order, a.action)}
          >
            {a.label}
          </button>
        ))}
        {cancellable ? (
          <ConfirmButton
            label="Cancel"
            question={`Cancel ${number}?`}
            disabled={busy}
            onConfirm={() => onAct(order, 'cancel')}
          />
        ) : null}
      </div>
    </li>
  );
};

const Column = ({
  title,
  count,
  children,
  id,
}: {
  title: string;
  count: number;
  children: ComponentChildren;
  id: string;
}) => (
  <section class="column" aria-labelledby={`${id}-title`} data-testid={`column-${id}`}>
    <h2 id={`${id}-title`}>
      {title} <span class="count">{count}</span>
    </h2>
    <ul class="cards">{children}</ul>
  </section>
);

/** `#/shop/<shopId>/barista`: the queue in columns, claim → complete, open/close the shop. */
export const Barista = ({ shopId }: { shopId: string }) => {
  const { api, session } = useApp();
  const now = useNow();
  const { busy, actionError, perform } = useAction<string>();

  const {
    state: live,
    last,
    loadError,
    reread,
    shop,
    setShop,
    queue,
  } = useShopFloor('barista', shopId);

  const act = async (order: Order, action: BaristaAction) => {
    await perform(order.orderId, async () => {
      await api.act(shopId, order.orderId, action);
    });
    await reread();
  };

  const toggleOpen = async () => {
    if (!shop) return;
    await perform('shop', async () => setShop(await api.setOpen(shopId, !shop.open)));
  };

  const me = session?.sub ?? '';
  const isAdmin = session?.role === 'admin';
  const columns = queue ? groupQueue(queue, me) : undefined;
  const card = (order: Order, actions: CardProps['actions'], cancellable: boolean) => (
    <OrderCard
      key={order.orderId}
      order={order}
      menu={shop?.menu}
      now={now}
      busy={busy === order.orderId}
      actions={actions}
      cancellable={cancellable}
      onAct={act}
    />
  );

  return (
    <main id="main" tabIndex={-1} class="barista">
      <div class="title-row">
        <h1>{shop?.name ?? shopId} · Barista</h1>
        <LiveBadge state={live} last={last} />
        {shop ? (
          <button
            type="button"
            class={shop.open ? 'shop-open' : 'shop-closed'}
            aria-pressed={shop.open}
            disabled={busy === 'shop'}
            onClick={() => void toggleOpen()}
          >
            {shop.open ? 'Shop is open — close it' : 'Shop is closed — open it'}
          </button>
        ) : null}
      </div>
      <ErrorNote error={actionError} />
      <ErrorNote error={loadError} />
      {columns ? (
        <div class="columns">
          <Column title="Queued" count={columns.queued.length} id="queued">
            {columns.queued.map((o) =>
              card(o, [{ action: 'claim', label: 'Claim', primary: true }], true),
            )}
          </Column>
          <Column
            title="In progress"
            count={columns.mine.length + columns.others.length}
            id="in-progress"
          >
            {columns.mine.map((o) =>
              card(
                o,
                [
                  { action: 'complete', label: 'Complete', primary: true },
                  { action: 'unclaim', label: 'Unclaim' },
                ],
                true,
              ),
            )}
            {columns.others.length > 0 ? (
              <li class="divider" aria-hidden="true">
                Other baristas
              </li>
            ) : null}
            {columns.others.map((o) =>
              card(
                o,
                isAdmin
                  ? [
                      { action: 'complete', label: 'Complete' },
                      { action: 'unclaim', label: 'Unclaim' },
                    ]
                  : [],
                true,
              ),
            )}
          </Column>
          <Column title="Ready" count={columns.ready.length} id="ready">
            {columns.ready.map((o) => card(o, [], false))}
          </Column>
        </div>
      ) : loadError ? null : (
        <p role="status">Loading the queue…</p>
      )}
    </main>
  );
};
