import { expect } from 'chai';
import { describe, it } from 'mocha';
import type { Group, Identity } from './identity';
import {
  describeGroups,
  holdsPermission,
  mayInShop,
  missingPermission,
  PERMISSION_NAMES,
  PERMISSIONS,
  type Permission,
} from './permissions';

const person = (groups: Group[], shopId: string | undefined): Identity => ({
  sub: 'u1',
  groups,
  shopId,
});

describe('permissions', () => {
  describe('the table (role × action)', () => {
    // B = barista, A = admin, D = display of the shop; what each may do.
    const expected: Record<Permission, { barista: boolean; admin: boolean; display: boolean }> = {
      'order.view-any': { barista: true, admin: true, display: true },
      'queue.view': { barista: true, admin: true, display: true },
      'order.claim': { barista: true, admin: true, display: false },
      'order.unclaim': { barista: true, admin: true, display: false },
      'order.complete': { barista: true, admin: true, display: false },
      'order.cancel-any': { barista: true, admin: true, display: false },
      'order.take-over': { barista: false, admin: true, display: false },
      'qr.show': { barista: false, admin: true, display: true },
      'shop.open-close': { barista: true, admin: true, display: false },
      'shop.configure': { barista: false, admin: true, display: false },
      'shops.list': { barista: false, admin: true, display: false },
      'metrics.read': { barista: true, admin: true, display: false },
      'updates.view-staff': { barista: true, admin: true, display: false },
      'updates.view-display': { barista: true, admin: true, display: true },
    };

    it('names exactly the actions of the expected matrix', () => {
      expect(PERMISSION_NAMES).to.have.members(Object.keys(expected));
    });

    PERMISSION_NAMES.forEach((permission) => {
      (['barista', 'admin', 'display'] as const).forEach((group) => {
        const allowed = expected[permission][group];
        it(`${allowed ? 'lets' : 'refuses'} a ${group} of the shop ${permission}`, () => {
          expect(mayInShop(person([group], 'cafe'), permission, 'cafe')).to.equal(allowed);
        });
      });
      it(`refuses a plain customer ${permission}`, () => {
        expect(mayInShop(person([], 'cafe'), permission, 'cafe')).to.equal(false);
      });
    });
  });

  describe('mayInShop and holdsPermission', () => {
    [
      {
        name: 'an admin of every shop may act in any shop',
        input: { identity: person(['admin'], '*'), permission: 'shop.configure' as const },
        expected: { inShop: true, anywhere: true },
      },
      {
        name: 'a barista of another shop may not act in this one, but holds the role',
        input: { identity: person(['barista'], 'other'), permission: 'order.claim' as const },
        expected: { inShop: false, anywhere: true },
      },
      {
        name: 'an admin without a shop claim acts in no shop, but holds the role',
        input: { identity: person(['admin'], undefined), permission: 'metrics.read' as const },
        expected: { inShop: false, anywhere: true },
      },
      {
        name: 'a display holds no staff view',
        input: { identity: person(['display'], 'cafe'), permission: 'updates.view-staff' as const },
        expected: { inShop: false, anywhere: false },
      },
    ].forEach((c) => {
      it(c.name, () => {
        expect(mayInShop(c.input.identity, c.input.permission, 'cafe')).to.equal(c.expected.inShop);
        expect(holdsPermission(c.input.identity, c.input.permission)).to.equal(c.expected.anywhere);
      });
    });
  });

  describe('refusals', () => {
    [
      { name: 'one group', input: ['admin'] as Group[], expected: 'admin' },
      { name: 'two groups', input: ['barista', 'admin'] as Group[], expected: 'barista or admin' },
      {
        name: 'three groups',
        input: ['barista', 'display', 'admin'] as Group[],
        expected: 'barista, display or admin',
      },
    ].forEach((c) => {
      it(`names ${c.name} as "${c.expected}"`, () => {
        expect(describeGroups(c.input)).to.equal(c.expected);
      });
    });

    it('says which roles the action needs in which shop', () => {
      expect(missingPermission('queue.view', 'cafe')).to.equal(
        'requires the barista, display or admin role for shop cafe',
      );
      expect(PERMISSIONS['order.claim']).to.deep.equal(['barista', 'admin']);
    });
  });
});
