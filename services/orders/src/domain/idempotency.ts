import { createHash } from 'node:crypto';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * The order id of a customer's order placed with an `Idempotency-Key`: a name-based UUID
 * (version 8, from SHA-256) of the shop, the customer and the key. Every retry of the request
 * names the same order, so the order's conditional put places it once; another customer's
 * same key names another order.
 */
export const orderIdForKey = (shopId: string, customerId: string, key: string): string => {
  const bytes = sha256(`espresso/order\n${shopId}\n${customerId}\n${key}`).subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x80; // version 8
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.toString('hex');
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20, 32),
  ].join('-');
};

/** What an order was placed with, so a key reused for another request is told apart. */
export const requestDigest = (request: { qrCode: string }): string =>
  sha256(`espresso/place-order\n${request.qrCode}`).toString('base64url');
