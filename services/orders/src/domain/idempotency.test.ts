import { OrderIdSchema } from '@espresso/schemas';
import { expect } from 'chai';
import { orderIdForKey, requestDigest } from './idempotency';

describe('idempotency', () => {
  describe('orderIdForKey', () => {
    it('names the same order for the same shop, customer and key', () => {
      expect(orderIdForKey('shop-1', 'cust-1', 'key-12345678')).to.equal(
        orderIdForKey('shop-1', 'cust-1', 'key-12345678'),
      );
    });

    it('names another order when the shop, the customer or the key differs', () => {
      const ids = new Set([
        orderIdForKey('shop-1', 'cust-1', 'key-12345678'),
        orderIdForKey('shop-2', 'cust-1', 'key-12345678'),
        orderIdForKey('shop-1', 'cust-2', 'key-12345678'),
        orderIdForKey('shop-1', 'cust-1', 'key-12345679'),
        // The separator keeps "a\nb" + "c" apart from "a" + "b\nc".
        orderIdForKey('shop-1', 'cust-1\nkey', '12345678'),
      ]);
      expect(ids.size).to.equal(5);
    });

    it('is a version-8 UUID that the order id schema accepts', () => {
      const id = orderIdForKey('demo', 'customer-7', '0b7c6b9e-1f0e-4d8f-9a57-2b3c4d5e6f70');
      expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(OrderIdSchema.safeParse(id).success).to.equal(true);
    });
  });

  describe('requestDigest', () => {
    it('tells two codes apart and keeps one code the same', () => {
      expect(requestDigest({ qrCode: 'ABCDEFGH' })).to.equal(requestDigest({ qrCode: 'ABCDEFGH' }));
      expect(requestDigest({ qrCode: 'ABCDEFGH' })).to.not.equal(
        requestDigest({ qrCode: 'ABCDEFGI' }),
      );
    });

    it('fits the order item (at most 64 characters)', () => {
      expect(requestDigest({ qrCode: 'x'.repeat(100) }).length).to.be.at.most(64);
    });
  });
});
