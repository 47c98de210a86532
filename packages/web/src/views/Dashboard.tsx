import type { Menu, MetricsResponse } from '@espresso/schemas';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { DrawnChart } from '../chart';
import { ErrorNote, LiveBadge } from '../components/common';
import { useApp } from '../context';
import { useLiveLoad } from '../hooks';
import { ApiError } from '../logic/errors';
import { concerns } from '../logic/live';
import {
  type ChartSpec,
  drinksChart,
  endsAnOrder,
  formatSeconds,
  OUTCOME_WORDS,
  ordersChart,
  timesChart,
  todayUtc,
} from '../logic/metrics';

interface DateRange {
  from: string;
  to: string;
}

/** One end of the range being edited; `invalid` marks it as the one the API's error names. */
const DateField = ({
  label,
  name,
  draft,
  invalid,
  onDraft,
}: {
  label: string;
  name: keyof DateRange;
  draft: DateRange;
  invalid: boolean;
  onDraft: (draft: DateRange) => void;
}) => (
  <label class="field">
    {label}
    <input
      type="date"
      name={name}
      value={draft[name]}
      required
      aria-invalid={invalid ? 'true' : undefined}
      aria-describedby={invalid ? 'range-error' : undefined}
      onInput={(e) => onDraft({ ...draft, [name]: e.currentTarget.value })}
    />
  </label>
);

/**
 * A bar chart (Chart.js, loaded on first use) with its text alternative: the canvas is an image
 * whose label summarises it, and the same numbers follow as a table.
 */
const ChartFigure = ({ spec, id }: { spec: ChartSpec; id: string }) => {
  const canvas = useRef<HTMLCanvasElement>(null);
  const drawn = useRef<DrawnChart | undefined>(undefined);
  const latest = useRef(spec);
  latest.current = spec;
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let gone = false;
    import('../chart').then(
      ({ drawBarChart }) => {
        if (gone || !canvas.current) return;
        drawn.current = drawBarChart(canvas.current, latest.current);
        canvas.current.dataset.drawn = 'true';
      },
      () => setFailed(true),
    );
    return () => {
      gone = true;
      drawn.current?.destroy();
      drawn.current = undefined;
    };
  }, []);
  useEffect(() => drawn.current?.update(spec), [spec]);

  const height = spec.horizontal ? Math.max(120, 40 + 32 * spec.labels.length) : 260;
  return (
    <figure class="chart" data-testid={`chart-${id}`} aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>{spec.title}</figcaption>
      <div class="chart-box" style={{ height: `${height}px` }}>
        <canvas ref={canvas} role="img" aria-label={spec.summary}>
          {spec.summary}
        </canvas>
      </div>
      {failed ? (
        <p class="muted">The chart could not load; the table below has its numbers.</p>
      ) : null}
      <details class="chart-table" open={failed}>
        <summary>Show as a table</summary>
        <table data-testid={`table-${id}`}>
          <caption class="visually-hidden">{spec.title}</caption>
          <thead>
            <tr>
              {spec.table.head.map((h) => (
                <th key={h} scope="col">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {spec.table.rows.map((row) => (
              <tr key={row[0]}>
                {row.map((cell, i) =>
                  i === 0 ? (
                    <th key={i} scope="row">
                      {cell}
                    </th>
                  ) : (
                    <td key={i}>{cell}</td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
};

const Totals = ({ metrics }: { metrics: MetricsResponse }) => {
  const { totals, averages } = metrics;
  const tiles: [string, string, string][] = [
    ['orders', 'Orders ended', String(totals.orders)],
    ['completed', OUTCOME_WORDS.COMPLETED, String(totals.byOutcome.COMPLETED)],
    ['cancelled', OUTCOME_WORDS.CANCELLED, String(totals.byOutcome.CANCELLED)],
    ['timed-out', OUTCOME_WORDS.TIMED_OUT, String(totals.byOutcome.TIMED_OUT)],
    ['rejected', OUTCOME_WORDS.REJECTED, String(totals.byOutcome.REJECTED)],
    ['wait', 'Average wait', formatSeconds(averages.waitSeconds)],
    ['make', 'Average make', formatSeconds(averages.makeSeconds)],
  ];
  return (
    <dl class="totals" data-testid="totals">
      {tiles.map(([id, label, value]) => (
        <div key={id} class="tile">
          <dt>{label}</dt>
          <dd data-testid={`total-${id}`}>{value}</dd>
        </div>
      ))}
    </dl>
  );
};

/**
 * `#/shop/<shopId>/dashboard` (barista, admin): orders per hour by outcome, drinks, average wait
 * and make times for a range of UTC days (today by default), from the metrics API. Re-reads a
 * few seconds after an order of the shop ends (the counters follow through a batched queue).
 */
export const Dashboard = ({ shopId }: { shopId: string }) => {
  const { api } = useApp();
  const today = todayUtc(Date.now());
  const [range, setRange] = useState({ from: today, to: today });
  const [draft, setDraft] = useState({ from: today, to: today });
  const [metrics, setMetrics] = useState<MetricsResponse>();
  const [menu, setMenu] = useState<Menu>();
  const [updatedAt, setUpdatedAt] = useState<Date>();

  const {
    state,
    last,
    refresh,
    loadError: error,
  } = useLiveLoad(
    `dashboard/${shopId}/${range.from}/${range.to}`,
    async () => {
      const [m, shop] = await Promise.all([
        api.metrics(shopId, range.from, range.to),
        menu ? Promise.resolve(undefined) : api.shopConfig(shopId).catch(() => undefined),
      ]);
      setMetrics(m);
      if (shop) setMenu(shop.menu);
      setUpdatedAt(new Date());
    },
    (m) => endsAnOrder(m.type) && concerns(m, { shopId }),
    { shopId, delayMs: 2500 },
  );

  const specs = useMemo(
    () =>
      metrics
        ? {
            orders: ordersChart(metrics),
            drinks: drinksChart(metrics, menu),
            times: timesChart(metrics),
          }
        : undefined,
    [metrics, menu],
  );
  const field = error instanceof ApiError ? error.field : undefined;
  const submit = (event: Event) => {
    event.preventDefault();
    if (draft.from === range.from && draft.to === range.to) refresh();
    else setRange({ ...draft });
  };

  return (
    <main id="main" tabIndex={-1} class="dashboard" data-testid="dashboard">
      <div class="title-row">
        <h1>Dashboard · {shopId}</h1>
        <LiveBadge state={state} last={last} />
      </div>
      <form class="range" onSubmit={submit} aria-describedby="range-note">
        <DateField
          label="From"
          name="from"
          draft={draft}
          invalid={field === 'from'}
          onDraft={setDraft}
        />
        <DateField label="To" name="to" draft={draft} invalid={field === 'to'} onDraft={setDraft} />
        <button type="submit" class="primary">
          Show
        </button>
        <p id="range-note" class="muted">
          Days and hours in UTC, at most 31 days.
          {updatedAt ? ` Updated ${updatedAt.toLocaleTimeString()}.` : ''}
        </p>
      </form>
      <div id="range-error">
        <ErrorNote error={error} />
      </div>
      {metrics && specs ? (
        <section aria-label="Metrics" data-testid="metrics" data-orders={metrics.totals.orders}>
          <Totals metrics={metrics} />
          {metrics.totals.orders === 0 ? (
            <p class="muted" role="status">
              No order ended in this range yet.
            </p>
          ) : null}
          <div class="charts">
            <ChartFigure id="orders" spec={specs.orders} />
            <ChartFigure id="drinks" spec={specs.drinks} />
            <ChartFigure id="times" spec={specs.times} />
          </div>
        </section>
      ) : error ? null : (
        <p role="status">Loading…</p>
      )}
    </main>
  );
};
