/** `#/shop/<shopId>/dashboard`: charts of the metrics API, once the metrics service exists. */
export const Dashboard = ({ shopId }: { shopId: string }) => (
  <main id="main" tabIndex={-1} class="dashboard">
    <h1>Dashboard · {shopId}</h1>
    <p role="status">
      Coming soon: charts of orders by outcome, drink and barista, and waiting and making times,
      from the metrics API (<code>GET /shops/{shopId}/metrics</code>).
    </p>
  </main>
);
