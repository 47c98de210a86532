import { expect } from 'chai';
import { describe, it } from 'mocha';
import {
  ALL_SHOPS,
  ClaimsSchema,
  GroupSchema,
  hasShopRole,
  type Identity,
  identityFromClaims,
  RoleSchema,
  SHOP_CLAIM,
} from './identity';

describe('identity', () => {
  describe('GroupSchema and RoleSchema', () => {
    [
      { name: 'admin is a group', schema: GroupSchema, input: 'admin', expected: true },
      { name: 'barista is a group', schema: GroupSchema, input: 'barista', expected: true },
      { name: 'display is a group', schema: GroupSchema, input: 'display', expected: true },
      {
        name: 'customer is not a group (every signed-in user is one)',
        schema: GroupSchema,
        input: 'customer',
        expected: false,
      },
      { name: 'groups are case-sensitive', schema: GroupSchema, input: 'Admin', expected: false },
      { name: 'customer is a role', schema: RoleSchema, input: 'customer', expected: true },
      { name: 'barista is a role', schema: RoleSchema, input: 'barista', expected: true },
      {
        name: 'an unknown role is rejected',
        schema: RoleSchema,
        input: 'manager',
        expected: false,
      },
    ].forEach((c) => {
      it(c.name, () => {
        expect(c.schema.safeParse(c.input).success).to.equal(c.expected);
      });
    });
  });

  describe('ClaimsSchema', () => {
    [
      {
        name: 'keeps an array of groups as is',
        input: { sub: 'u1', 'cognito:groups': ['barista'] },
        expected: ['barista'],
      },
      {
        name: 'splits the HTTP API form "[admin barista]"',
        input: { sub: 'u1', 'cognito:groups': '[admin barista]' },
        expected: ['admin', 'barista'],
      },
      {
        name: 'splits a comma-separated list',
        input: { sub: 'u1', 'cognito:groups': 'admin,display' },
        expected: ['admin', 'display'],
      },
      {
        name: 'reads "[]" as no groups',
        input: { sub: 'u1', 'cognito:groups': '[]' },
        expected: [],
      },
      {
        name: 'leaves groups out when the claim is missing',
        input: { sub: 'u1' },
        expected: undefined,
      },
    ].forEach((c) => {
      it(c.name, () => {
        expect(ClaimsSchema.parse(c.input)['cognito:groups']).to.deep.equal(c.expected);
      });
    });
  });

  describe('identityFromClaims', () => {
    [
      {
        name: 'reads sub, an array of groups and the shop claim',
        input: { sub: 'u1', 'cognito:groups': ['barista'], [SHOP_CLAIM]: 'cafe' },
        expected: { sub: 'u1', groups: ['barista'], shopId: 'cafe' },
      },
      {
        name: 'reads groups flattened to "[admin barista]"',
        input: { sub: 'u1', 'cognito:groups': '[admin barista]', [SHOP_CLAIM]: '*' },
        expected: { sub: 'u1', groups: ['admin', 'barista'], shopId: '*' },
      },
      {
        name: 'reads a single group given as a bare string',
        input: { sub: 'u1', 'cognito:groups': 'display', [SHOP_CLAIM]: 'cafe' },
        expected: { sub: 'u1', groups: ['display'], shopId: 'cafe' },
      },
      {
        name: 'drops groups that grant no role',
        input: { sub: 'u1', 'cognito:groups': ['us-east-1_pool_Google', 'barista', 'Admins'] },
        expected: { sub: 'u1', groups: ['barista'], shopId: undefined },
      },
      {
        name: 'makes a user without groups a plain customer',
        input: { sub: 'u1', email: 'a@example.com' },
        expected: { sub: 'u1', groups: [], shopId: undefined },
      },
      {
        name: 'treats an empty shop claim as no shop',
        input: { sub: 'u1', 'cognito:groups': ['barista'], [SHOP_CLAIM]: '' },
        expected: { sub: 'u1', groups: ['barista'], shopId: undefined },
      },
      {
        name: 'refuses claims without sub',
        input: { 'cognito:groups': ['admin'] },
        expected: undefined,
      },
      { name: 'refuses an empty sub', input: { sub: '' }, expected: undefined },
      {
        name: 'refuses groups of the wrong type',
        input: { sub: 'u1', 'cognito:groups': 7 },
        expected: undefined,
      },
      { name: 'refuses claims that are not an object', input: 'u1', expected: undefined },
      { name: 'refuses missing claims', input: undefined, expected: undefined },
    ].forEach((c) => {
      it(c.name, () => {
        expect(identityFromClaims(c.input)).to.deep.equal(c.expected);
      });
    });
  });

  describe('hasShopRole', () => {
    const who = (groups: Identity['groups'], shopId: string | undefined): Identity => ({
      sub: 'u1',
      groups,
      shopId,
    });
    [
      {
        name: 'grants a barista their own shop',
        identity: who(['barista'], 'cafe'),
        group: 'barista',
        shopId: 'cafe',
        expected: true,
      },
      {
        name: 'denies a barista another shop',
        identity: who(['barista'], 'cafe'),
        group: 'barista',
        shopId: 'deli',
        expected: false,
      },
      {
        name: 'grants a barista of every shop (*) any shop',
        identity: who(['barista'], ALL_SHOPS),
        group: 'barista',
        shopId: 'deli',
        expected: true,
      },
      {
        name: 'denies a group the user does not hold, even in their shop',
        identity: who(['barista'], 'cafe'),
        group: 'admin',
        shopId: 'cafe',
        expected: false,
      },
      {
        name: 'denies a * shop claim without the group',
        identity: who(['display'], ALL_SHOPS),
        group: 'admin',
        shopId: 'cafe',
        expected: false,
      },
      {
        name: 'denies staff without a shop claim',
        identity: who(['admin'], undefined),
        group: 'admin',
        shopId: 'cafe',
        expected: false,
      },
      {
        name: 'denies a plain customer',
        identity: who([], undefined),
        group: 'barista',
        shopId: 'cafe',
        expected: false,
      },
      {
        name: 'does not treat * as a shop id to match literally',
        identity: who(['admin'], 'cafe'),
        group: 'admin',
        shopId: ALL_SHOPS,
        expected: false,
      },
    ].forEach((c) => {
      it(c.name, () => {
        expect(hasShopRole(c.identity, GroupSchema.parse(c.group), c.shopId)).to.equal(c.expected);
      });
    });
  });
});
