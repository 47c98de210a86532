import type { Identity } from '@espresso/schemas';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { listableShops } from './access';

const identity = (groups: Identity['groups'], shopId: string | undefined): Identity => ({
  sub: 'u1',
  groups,
  shopId,
});

describe('access domain', () => {
  describe('listableShops', () => {
    [
      {
        name: 'a customer may list no shop',
        input: identity([], undefined),
        expected: 'none',
      },
      {
        name: 'a customer with a stray shop claim may list no shop',
        input: identity([], 'cafe'),
        expected: 'none',
      },
      {
        name: 'a display may list no shop',
        input: identity(['display'], 'cafe'),
        expected: 'none',
      },
      {
        name: 'a barista may list no shop, not even their own',
        input: identity(['barista'], 'cafe'),
        expected: 'none',
      },
      {
        name: 'a barista with the every-shop claim may list no shop',
        input: identity(['barista'], '*'),
        expected: 'none',
      },
      {
        name: 'an admin without a shop claim may list no shop',
        input: identity(['admin'], undefined),
        expected: 'none',
      },
      {
        name: 'an admin of one shop may list only that shop',
        input: identity(['admin'], 'cafe'),
        expected: { only: 'cafe' },
      },
      {
        name: 'an admin who is also a barista may list only their shop',
        input: identity(['barista', 'admin'], 'cafe'),
        expected: { only: 'cafe' },
      },
      {
        name: 'an admin with the every-shop claim may list all shops',
        input: identity(['admin'], '*'),
        expected: 'all',
      },
    ].forEach((c) => {
      it(c.name, () => {
        expect(listableShops(c.input)).to.deep.equal(c.expected);
      });
    });
  });
});
