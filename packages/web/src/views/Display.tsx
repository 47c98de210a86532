import type { QrCodeResponse } from '@espresso/schemas';
import { useEffect, useMemo, useState } from 'preact/hooks';
import QRCode from 'qrcode';
import { Countdown, ErrorNote, LiveBadge } from '../components/common';
import { useApp } from '../context';
import { useNow, useShopFloor } from '../hooks';
import { displayBoard } from '../logic/queue';
import { customerOrderUrl } from '../logic/route';
import { secondsUntil } from '../logic/time';

const Numbers = ({ title, numbers, id }: { title: string; numbers: number[]; id: string }) => (
  <section class={`board-column ${id}`} aria-labelledby={`${id}-title`} data-testid={`board-${id}`}>
    <h2 id={`${id}-title`}>{title}</h2>
    {numbers.length === 0 ? (
      <p class="muted">—</p>
    ) : (
      <ul class="numbers">
        {numbers.map((n) => (
          <li key={n}>{n}</li>
        ))}
      </ul>
    )}
  </section>
);

/** `#/shop/<shopId>/display`: the rotating QR code and the numbers being made and ready. */
export const Display = ({ shopId }: { shopId: string }) => {
  const { api } = useApp();
  const now = useNow();
  const [qr, setQr] = useState<QrCodeResponse>();
  const [image, setImage] = useState<string>();

  const {
    state: live,
    last,
    refresh: reread,
    loadError: error,
    setLoadError: setError,
    shop,
    queue,
  } = useShopFloor('display', shopId, async (s) => {
    setQr(s.open ? await api.qrCode(shopId) : undefined);
  });

  const link = qr ? customerOrderUrl(location.href, shopId, qr.code) : undefined;
  useEffect(() => {
    if (!link) {
      setImage(undefined);
      return;
    }
    let current = true;
    QRCode.toDataURL(link, { width: 480, margin: 2, errorCorrectionLevel: 'M' }).then(
      (url) => current && setImage(url),
      setError,
    );
    return () => {
      current = false;
    };
  }, [link]);

  // The code's lifetime as first seen, for the countdown bar; a new code is read once it expires.
  const ttl = useMemo(
    () => (qr ? Math.max(1, secondsUntil(qr.expiresAt, Date.now())) : 1),
    [qr?.code],
  );
  const left = qr ? secondsUntil(qr.expiresAt, now) : 1;
  useEffect(() => {
    if (left === 0) reread();
  }, [left, reread]);

  const board = queue ? displayBoard(queue) : undefined;
  return (
    <main id="main" tabIndex={-1} class="display">
      <div class="title-row">
        <h1>{shop?.name ?? shopId}</h1>
        <LiveBadge state={live} last={last} />
      </div>
      <ErrorNote error={error} />
      <div class="display-grid">
        <section class="qr-panel" aria-label="Order here" data-testid="qr-panel">
          {shop && !shop.open ? (
            <div class="closed" role="status" data-testid="shop-closed">
              <p class="closed-title">Shop closed</p>
              <p>We are not taking orders right now. See you soon!</p>
            </div>
          ) : qr && image && link ? (
            <>
              <p class="qr-call">Scan to order</p>
              <img
                src={image}
                alt={`QR code linking to ${link}`}
                class="qr"
                data-testid="qr-image"
              />
              <p class="qr-code-text">
                or open the app and type <strong data-testid="qr-code">{qr.code}</strong>
              </p>
              <p data-testid="qr-remaining">
                {qr.remaining === 0
                  ? 'This code is used up; a new one comes shortly.'
                  : `${qr.remaining} ${qr.remaining === 1 ? 'order' : 'orders'} left on this code`}
              </p>
              <Countdown secondsLeft={left} totalSeconds={ttl} label="New code in" />
              <a class="qr-link" href={link} data-testid="qr-link">
                {link}
              </a>
            </>
          ) : (
            <p role="status">Loading the code…</p>
          )}
        </section>
        {board ? (
          <div class="board">
            <Numbers title="Being made" numbers={board.making} id="making" />
            <Numbers title="Ready" numbers={board.ready} id="ready" />
            <Numbers title="In the queue" numbers={board.waiting} id="waiting" />
          </div>
        ) : null}
      </div>
    </main>
  );
};
