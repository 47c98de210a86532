/**
 * The web app in a real browser (Debian's Chromium driven by playwright-core) against a private
 * local stack with the publisher's WebSocket and the metrics service: a display, a customer and a
 * barista on the same shop, each in its own browser context, run an order from the QR code to
 * "ready" without a reload, driven by pushes; the dashboard then counts it; a dropped socket is
 * reconnected; a closed shop shows closed. Screenshots of every view go to `test-results/`
 * (git-ignored).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type StaticSite, startStaticSite, webConfigFor } from '@espresso/local-cloud';
import { startTestStack, type TestStack } from '@espresso/test-support';
import { expect } from 'chai';
import { after, afterEach, before, describe, it } from 'mocha';
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Page,
  type WebSocketRoute,
} from 'playwright-core';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
const SHOTS = path.join(ROOT, 'test-results');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOP = 'demo';
const WAIT = { timeout: 20_000 };

describe('web app in Chromium', function () {
  this.timeout(120_000);
  let stack: TestStack;
  let site: StaticSite;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
    const started0 = Date.now();
    const [, started] = await Promise.all([
      run(path.join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], {
        cwd: ROOT,
      }),
      startTestStack(['config', 'orders', 'publisher', 'metrics']),
      mkdir(SHOTS, { recursive: true }),
    ]);
    stack = started;
    console.log(
      `      (build and stack ready in ${((Date.now() - started0) / 1000).toFixed(1)} s)`,
    );
    site = await startStaticSite({
      root: DIST,
      port: 0,
      config: webConfigFor(stack.endpoints, stack.stage),
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await site?.stop();
    await stack?.stop();
  });

  // On a failure, a screenshot of every open page, to see what it showed.
  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    let n = 0;
    for (const context of contexts) {
      for (const page of context.pages()) {
        await page
          .screenshot({ path: path.join(SHOTS, `failed-${++n}.png`), fullPage: true })
          .catch(() => undefined);
      }
    }
  });

  /** A fresh browser context (its own storage: one person) with a page, errors collected. */
  const person = async (viewport: { width: number; height: number }) => {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    return { page, errors };
  };

  const signIn = async (page: Page, url: string) => {
    await page.goto(url);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

  /** Waits until the screen is kept current by the WebSocket (not by polling). */
  const pushed = (page: Page) =>
    page.locator('[data-testid="live"][data-live="push"]').waitFor(WAIT);

  /** The type of the last message the page's WebSocket delivered. */
  const lastPush = (page: Page) => page.getByTestId('live').getAttribute('data-live-last');

  const numbersOn = async (page: Page, board: 'making' | 'ready' | 'waiting') =>
    (await page.getByTestId(`board-${board}`).locator('li').allTextContents()).map(Number);

  it('runs an order from the display QR code to ready, live on every screen', async () => {
    // The display signs in and shows the QR code with the customer link.
    const display = await person({ width: 1600, height: 900 });
    await signIn(display.page, `${site.url}/#/shop/${SHOP}/display`);
    const link = display.page.getByTestId('qr-link');
    await link.waitFor(WAIT);
    const customerUrl = await link.getAttribute('href');
    expect(customerUrl).to.match(new RegExp(`#/shop/${SHOP}/order\\?code=[A-Za-z0-9_-]+$`));
    expect(await display.page.getByTestId('qr-image').getAttribute('src')).to.match(
      /^data:image\/png;base64,/,
    );
    const remainingBefore = await display.page.getByTestId('qr-remaining').textContent();
    await pushed(display.page);

    // The customer opens the link on a phone, signs in and sees the menu with a countdown.
    const customer = await person({ width: 390, height: 844 });
    const placements: Record<string, string>[] = [];
    customer.page.on('request', (request) => {
      if (request.method() === 'POST' && /\/shops\/[^/]+\/orders$/.test(request.url())) {
        placements.push(request.headers());
      }
    });
    await signIn(customer.page, customerUrl ?? '');
    const status = customer.page.getByTestId('order-status');
    await customer.page.getByRole('heading', { name: 'Choose your drink' }).waitFor(WAIT);
    // The order was placed with an Idempotency-Key, through the API's CORS (another origin).
    expect(placements.map((h) => h['idempotency-key'])).to.satisfy(
      (keys: unknown[]) =>
        keys.length >= 1 && keys.every((k) => typeof k === 'string' && /^[0-9a-f-]{36}$/.test(k)),
    );
    expect(await customer.page.getByTestId('countdown').textContent()).to.match(/\d+:\d\d/);
    expect(await customer.page.getByLabel('Cappuccino').isDisabled()).to.equal(true);
    await customer.page.getByText('Flat White').click();
    await customer.page.getByText('Oat', { exact: true }).click();
    await shot(customer.page, 'customer-menu');
    await customer.page.getByRole('button', { name: 'Order Flat White' }).click();
    await customer.page.getByRole('heading', { name: /^Queued #\d+$/ }).waitFor(WAIT);
    const heading = (await status.getByRole('heading').textContent()) ?? '';
    const orderNumber = Number(heading.replace(/\D+/g, ''));
    expect(orderNumber).to.be.greaterThan(0);
    expect(await status.textContent()).to.include('Flat White · Oat');
    await pushed(customer.page);

    // The display counts the code down and lists the number as waiting.
    await display.page.waitForFunction(
      (n) =>
        [...document.querySelectorAll('[data-testid="board-waiting"] li')].some(
          (li) => li.textContent === String(n),
        ),
      orderNumber,
      WAIT,
    );
    // The screen re-reads the code after the queue (useShopFloor), so its count may come a
    // moment after the number.
    await display.page.waitForFunction(
      (before) => document.querySelector('[data-testid="qr-remaining"]')?.textContent !== before,
      remainingBefore,
      WAIT,
    );
    expect(await display.page.getByTestId('qr-remaining').textContent()).to.not.equal(
      remainingBefore,
    );

    // The barista claims it: the customer sees "being made", the display moves it there.
    const barista = await person({ width: 1280, height: 800 });
    await signIn(barista.page, `${site.url}/#/shop/${SHOP}/barista`);
    const queued = barista.page.getByTestId('column-queued');
    const card = queued.getByRole('listitem', { name: `Order #${orderNumber}, Flat White` });
    await card.waitFor(WAIT);
    await pushed(barista.page);
    expect(await card.textContent()).to.include('Oat');
    await shot(barista.page, 'barista-queued');
    await card.getByRole('button', { name: 'Claim' }).click();
    const mine = barista.page
      .getByTestId('column-in-progress')
      .getByRole('listitem', { name: `Order #${orderNumber}, Flat White` });
    await mine.waitFor(WAIT);
    await customer.page.getByRole('heading', { name: `Being made #${orderNumber}` }).waitFor(WAIT);
    await display.page.waitForFunction(
      (n) =>
        [...document.querySelectorAll('[data-testid="board-making"] li')].some(
          (li) => li.textContent === String(n),
        ),
      orderNumber,
      WAIT,
    );
    expect(await numbersOn(display.page, 'making')).to.include(orderNumber);
    await shot(display.page, 'display-being-made');

    // The barista completes it: ready everywhere, without a reload, pushed (in push mode the
    // screens poll only every 30 s, and the customer's socket delivered the ending).
    const completedAt = Date.now();
    await mine.getByRole('button', { name: 'Complete' }).click();
    await barista.page
      .getByTestId('column-ready')
      .getByRole('listitem', { name: `Order #${orderNumber}, Flat White` })
      .waitFor(WAIT);
    await customer.page.getByRole('heading', { name: `Ready #${orderNumber}` }).waitFor(WAIT);
    expect(Date.now() - completedAt, 'ready within 5 s of completing').to.be.below(5000);
    await customer.page.waitForFunction(
      () =>
        /OrderCompleted|OrderFinished/.test(
          document.querySelector('[data-testid="live"]')?.getAttribute('data-live-last') ?? '',
        ),
      undefined,
      WAIT,
    );
    for (const p of [display, customer, barista]) {
      expect(await p.page.getByTestId('live').getAttribute('data-live')).to.equal('push');
    }
    await display.page.waitForFunction(
      (n) =>
        [...document.querySelectorAll('[data-testid="board-ready"] li')].some(
          (li) => li.textContent === String(n),
        ),
      orderNumber,
      WAIT,
    );
    expect(await numbersOn(display.page, 'making')).to.not.include(orderNumber);
    await shot(barista.page, 'barista-ready');
    await shot(display.page, 'display-ready');

    // The customer's journey lists the workflow's steps, and the history has the order.
    await customer.page.getByTestId('journey').locator('li').first().waitFor(WAIT);
    expect(await customer.page.getByTestId('journey').textContent()).to.include('WaitForBarista');
    await shot(customer.page, 'customer-ready');
    await customer.page.getByRole('link', { name: 'My orders' }).first().click();
    await customer.page.getByRole('link', { name: `#${orderNumber} flat-white` }).waitFor(WAIT);
    await shot(customer.page, 'customer-history');

    // The barista's dashboard counts the completed order once the metrics consumer has run
    // (an SQS batch with a 1 s window locally): the page re-reads a few seconds after the
    // ending's push; the test also presses "Show" while it waits, within a bound.
    await barista.page.getByRole('link', { name: 'Dashboard' }).click();
    const dashboard = barista.page.getByTestId('dashboard');
    await dashboard.waitFor(WAIT);
    const completed = barista.page.getByTestId('total-completed');
    const deadline = Date.now() + 20_000;
    while ((await completed.textContent().catch(() => null)) !== '1') {
      expect(Date.now(), 'the dashboard counted the order within 20 s').to.be.below(deadline);
      await barista.page.waitForTimeout(1000);
      await barista.page.getByRole('button', { name: 'Show' }).click();
    }
    await pushed(barista.page);
    const ordersTable = barista.page.getByTestId('table-orders');
    const rows = await ordersTable.locator('tbody tr').allTextContents();
    expect(rows, 'one hour with one completed order').to.have.length(1);
    const cells = await ordersTable.locator('tbody tr').first().locator('th, td').allTextContents();
    expect(cells.slice(1)).to.deep.equal(['1', '0', '0', '0', '1']);
    expect(await barista.page.getByTestId('table-drinks').textContent()).to.include('Flat White');
    expect(
      await barista.page.getByTestId('chart-orders').locator('canvas').getAttribute('aria-label'),
    ).to.match(/1 order ended .*\(1 completed\)/);
    await barista.page
      .locator('[data-testid="chart-orders"] canvas[data-drawn="true"]')
      .waitFor(WAIT);
    await barista.page
      .locator('[data-testid="chart-drinks"] canvas[data-drawn="true"]')
      .waitFor(WAIT);
    expect(await barista.page.getByTestId('total-wait').textContent()).to.match(/\d+ s|min/);
    await shot(barista.page, 'dashboard');

    // A range that ends before it starts: the API's 400 names `to`, and so does the page.
    await barista.page.getByLabel('From').fill('2026-01-10');
    await barista.page.getByLabel('To').fill('2026-01-09');
    await barista.page.getByRole('button', { name: 'Show' }).click();
    const alert = barista.page.getByRole('alert');
    await alert.waitFor(WAIT);
    expect(await alert.textContent()).to.match(/^to: /);
    expect(await barista.page.getByLabel('To').getAttribute('aria-invalid')).to.equal('true');
    await shot(barista.page, 'dashboard-error');

    for (const p of [display, customer, barista]) expect(p.errors, 'page errors').to.deep.equal([]);
  });

  it('reconnects a dropped WebSocket with backoff and re-reads the screen', async () => {
    const barista = await person({ width: 1280, height: 800 });
    const sockets: { page: WebSocketRoute; server: WebSocketRoute; at: number }[] = [];
    await barista.page.routeWebSocket(
      (url) => url.protocol === 'ws:',
      (ws) => {
        sockets.push({ page: ws, server: ws.connectToServer(), at: Date.now() });
      },
    );
    const queueReads: number[] = [];
    barista.page.on('request', (request) => {
      if (request.url().endsWith(`/shops/${SHOP}/queue`)) queueReads.push(Date.now());
    });
    await signIn(barista.page, `${site.url}/#/shop/${SHOP}/barista`);
    await pushed(barista.page);
    expect(sockets).to.have.length(1);

    // Drop the connection from the server's side, as API Gateway does after 2 h.
    const droppedAt = Date.now();
    await sockets[0]?.page.close({ code: 1001, reason: 'going away' });
    await sockets[0]?.server.close();
    const deadline = Date.now() + 10_000;
    while (sockets.length < 2) {
      expect(Date.now(), 'reconnected within 10 s').to.be.below(deadline);
      await barista.page.waitForTimeout(100);
    }
    const reconnectedAfter = Date.now() - droppedAt;
    await pushed(barista.page);
    expect(reconnectedAfter, 'the first retry waits about half a second').to.be.below(5000);
    // It re-read the queue once reconnected (connected, it would poll only every 30 s).
    const reconnectedAt = sockets[1]?.at ?? 0;
    const reread = Date.now() + 5000;
    while (!queueReads.some((t) => t >= reconnectedAt)) {
      expect(Date.now(), 're-read within 5 s of reconnecting').to.be.below(reread);
      await barista.page.waitForTimeout(100);
    }

    // Pushes arrive on the new connection: another admin closes the shop.
    const admin = await stack.token({ role: 'admin', shopId: SHOP });
    const closeShop = await stack.call('config', 'PUT', `/shops/${SHOP}/open`, {
      token: admin,
      body: { open: false },
    });
    expect(closeShop.status).to.equal(200);
    await barista.page.getByRole('button', { name: 'Shop is closed — open it' }).waitFor(WAIT);
    expect(await lastPush(barista.page)).to.equal('ConfigService.ConfigChanged');
    await stack.call('config', 'PUT', `/shops/${SHOP}/open`, {
      token: admin,
      body: { open: true },
    });
    await barista.page.getByRole('button', { name: 'Shop is open — close it' }).waitFor(WAIT);
    expect(barista.errors, 'page errors').to.deep.equal([]);
  });

  it('lets a customer type the code and cancel before a barista claims it', async () => {
    const { body } = await stack.call('orders', 'GET', `/shops/${SHOP}/qr-code`, {
      token: await stack.token({ role: 'display', shopId: SHOP }),
    });
    const { code } = body as { code: string };
    const customer = await person({ width: 390, height: 844 });
    await signIn(customer.page, `${site.url}/#/shop/${SHOP}/order`);
    await customer.page.getByLabel('Code shown under the QR code on the screen').fill(code);
    await customer.page.getByRole('button', { name: 'Start my order' }).click();
    await customer.page.getByRole('heading', { name: 'Choose your drink' }).waitFor(WAIT);
    await customer.page.getByRole('button', { name: 'Cancel order' }).click();
    await customer.page.getByRole('button', { name: 'Yes, cancel order' }).click();
    await customer.page.getByRole('heading', { name: 'Cancelled' }).waitFor(WAIT);
    expect(await customer.page.getByTestId('order-status').textContent()).to.include(
      'You cancelled this order.',
    );
    await shot(customer.page, 'customer-cancelled');
  });

  it('shows a closed shop on the display and to customers, and opens it again', async () => {
    const barista = await person({ width: 1280, height: 800 });
    await signIn(barista.page, `${site.url}/#/shop/${SHOP}/barista`);
    await barista.page.getByRole('button', { name: 'Shop is open — close it' }).click();
    await barista.page.getByRole('button', { name: 'Shop is closed — open it' }).waitFor(WAIT);

    const display = await person({ width: 1600, height: 900 });
    await signIn(display.page, `${site.url}/#/shop/${SHOP}/display`);
    await display.page.getByTestId('shop-closed').waitFor(WAIT);
    expect(await display.page.getByTestId('qr-image').count()).to.equal(0);
    await shot(display.page, 'display-closed');

    const customer = await person({ width: 390, height: 844 });
    await signIn(customer.page, `${site.url}/#/shop/${SHOP}/order`);
    await customer.page.getByText('The shop is closed right now').waitFor(WAIT);
    await shot(customer.page, 'customer-closed');

    await barista.page.getByRole('button', { name: 'Shop is closed — open it' }).click();
    await display.page.getByTestId('qr-image').waitFor(WAIT);
  });
});
