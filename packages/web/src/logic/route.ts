/** Every screen of the app, addressed by the URL's hash (`#/shop/demo/order?code=…`). */
export type Route =
  | { view: 'home' }
  | { view: 'sign-in'; next?: string }
  | { view: 'order-start'; shopId: string; code?: string }
  | { view: 'order'; shopId: string; orderId: string }
  | { view: 'history' }
  | { view: 'barista'; shopId: string }
  | { view: 'display'; shopId: string }
  | { view: 'dashboard'; shopId: string }
  | { view: 'not-found'; path: string };

const segment = /^[A-Za-z0-9_-]{1,64}$/;

/** Reads a route from `location.hash`; anything unknown is `not-found`. */
export const parseRoute = (hash: string): Route => {
  const raw = hash.replace(/^#/, '') || '/';
  const [pathPart = '/', queryPart = ''] = raw.split('?', 2);
  const query = new URLSearchParams(queryPart);
  const parts = pathPart.split('/').filter((p) => p.length > 0);
  const ok = parts.every((p) => segment.test(p));
  if (!ok) return { view: 'not-found', path: pathPart };
  const [first, shopId, action, orderId] = parts;
  if (parts.length === 0) return { view: 'home' };
  if (first === 'sign-in' && parts.length === 1) {
    const next = query.get('next');
    return next ? { view: 'sign-in', next } : { view: 'sign-in' };
  }
  if (first === 'history' && parts.length === 1) return { view: 'history' };
  if (first === 'shop' && shopId) {
    if (action === 'order' && parts.length === 3) {
      const code = query.get('code')?.trim();
      return code ? { view: 'order-start', shopId, code } : { view: 'order-start', shopId };
    }
    if (action === 'orders' && orderId && parts.length === 4) {
      return { view: 'order', shopId, orderId };
    }
    if (
      (action === 'barista' || action === 'display' || action === 'dashboard') &&
      parts.length === 3
    ) {
      return { view: action, shopId };
    }
  }
  return { view: 'not-found', path: pathPart };
};

/** The hash of a route (the inverse of `parseRoute`). */
export const href = (route: Route): string => {
  switch (route.view) {
    case 'home':
      return '#/';
    case 'sign-in':
      return route.next ? `#/sign-in?next=${encodeURIComponent(route.next)}` : '#/sign-in';
    case 'order-start':
      return route.code
        ? `#/shop/${route.shopId}/order?code=${encodeURIComponent(route.code)}`
        : `#/shop/${route.shopId}/order`;
    case 'order':
      return `#/shop/${route.shopId}/orders/${route.orderId}`;
    case 'history':
      return '#/history';
    case 'barista':
    case 'display':
    case 'dashboard':
      return `#/shop/${route.shopId}/${route.view}`;
    case 'not-found':
      return `#${route.path}`;
  }
};

/** The link a display's QR code encodes: the app's own address with the customer route. */
export const customerOrderUrl = (appUrl: string, shopId: string, code: string): string => {
  const base = appUrl.split('#')[0] ?? appUrl;
  return `${base}${href({ view: 'order-start', shopId, code })}`;
};
