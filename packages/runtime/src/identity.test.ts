import type { Group, Identity } from '@espresso/schemas';
import type { APIGatewayEventRequestContextV2, APIGatewayProxyEventV2 } from 'aws-lambda';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { HttpError } from './errors';
import { requireIdentity, requirePermission, requireShopRole } from './identity';

/**
 * An HTTP API (payload 2.0) event as the JWT authorizer passes it on: `authorizer` is put in
 * `requestContext` as is (leave it out for a route reached without one).
 */
const makeEvent = (
  authorizer?: unknown,
  overrides: Partial<APIGatewayProxyEventV2> = {},
): APIGatewayProxyEventV2 => {
  const requestContext: APIGatewayEventRequestContextV2 & { authorizer?: unknown } = {
    accountId: '123456789012',
    apiId: 'api',
    domainName: 'api.example.com',
    domainPrefix: 'api',
    http: {
      method: 'GET',
      path: '/shops',
      protocol: 'HTTP/1.1',
      sourceIp: '203.0.113.7',
      userAgent: 'mocha',
    },
    requestId: 'req-1',
    routeKey: 'GET /shops',
    stage: '$default',
    time: '24/Nov/2026:08:00:00 +0000',
    timeEpoch: 1795766400000,
    ...(authorizer === undefined ? {} : { authorizer }),
  };
  return {
    version: '2.0',
    routeKey: 'GET /shops',
    rawPath: '/shops',
    rawQueryString: '',
    headers: {},
    requestContext,
    isBase64Encoded: false,
    ...overrides,
  };
};

const withClaims = (claims: unknown) => makeEvent({ jwt: { claims, scopes: [] } });

/** The HttpError `fn` throws (fails the test if it returns). */
const thrownBy = (fn: () => unknown): HttpError => {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(HttpError);
    return error as HttpError;
  }
  expect.fail('expected an HttpError');
};

describe('identity', () => {
  describe('requireIdentity', () => {
    [
      {
        name: 'reads sub, an array of groups and the shop claim',
        input: { sub: 'u1', 'cognito:groups': ['barista'], 'custom:shopId': 'cafe' },
        expected: { sub: 'u1', groups: ['barista'], shopId: 'cafe' },
      },
      {
        name: 'reads groups as API Gateway flattens them: "[admin barista]"',
        input: { sub: 'u1', 'cognito:groups': '[admin barista]', 'custom:shopId': 'cafe' },
        expected: { sub: 'u1', groups: ['admin', 'barista'], shopId: 'cafe' },
      },
      {
        name: 'reads a single flattened group "[display]"',
        input: { sub: 'u1', 'cognito:groups': '[display]', 'custom:shopId': 'cafe' },
        expected: { sub: 'u1', groups: ['display'], shopId: 'cafe' },
      },
      {
        name: 'keeps the every-shop claim "*"',
        input: { sub: 'u1', 'cognito:groups': ['admin'], 'custom:shopId': '*' },
        expected: { sub: 'u1', groups: ['admin'], shopId: '*' },
      },
      {
        name: 'makes a plain customer of a user without groups or shop',
        input: { sub: 'u1' },
        expected: { sub: 'u1', groups: [], shopId: undefined },
      },
      {
        name: 'drops groups that grant no role',
        input: { sub: 'u1', 'cognito:groups': '[superuser barista]' },
        expected: { sub: 'u1', groups: ['barista'], shopId: undefined },
      },
      {
        name: 'reads an empty shop claim as no shop',
        input: { sub: 'u1', 'cognito:groups': ['admin'], 'custom:shopId': '' },
        expected: { sub: 'u1', groups: ['admin'], shopId: undefined },
      },
    ].forEach((c) => {
      it(c.name, () => {
        expect(requireIdentity(withClaims(c.input))).to.deep.equal(c.expected);
      });
    });

    [
      { name: 'there is no authorizer', input: makeEvent() },
      { name: 'the authorizer has no jwt', input: makeEvent({}) },
      { name: 'the jwt has no claims', input: makeEvent({ jwt: { scopes: [] } }) },
      { name: 'the claims have no sub', input: withClaims({ 'cognito:groups': ['admin'] }) },
      { name: 'the sub is empty', input: withClaims({ sub: '' }) },
      { name: 'the claims are not an object', input: withClaims('sub=u1') },
      {
        name: 'a sub is only in the body, query or headers',
        input: makeEvent(undefined, {
          body: '{"sub":"u1","cognito:groups":["admin"]}',
          queryStringParameters: { sub: 'u1' },
          headers: { 'x-user-sub': 'u1' },
        }),
      },
    ].forEach((c) => {
      it(`answers 401 when ${c.name}`, () => {
        const error = thrownBy(() => requireIdentity(c.input));

        expect(error.status).to.equal(401);
        expect(error.code).to.equal('UNAUTHORIZED');
      });
    });
  });

  describe('requireShopRole', () => {
    const person = (groups: Group[], shopId: string | undefined): Identity => ({
      sub: 'u1',
      groups,
      shopId,
    });

    [
      {
        name: 'lets a barista of the shop act as barista',
        input: { identity: person(['barista'], 'cafe'), groups: ['barista'], shopId: 'cafe' },
        expected: 'allowed',
      },
      {
        name: 'lets an admin of the shop pass a barista-or-admin check',
        input: {
          identity: person(['admin'], 'cafe'),
          groups: ['barista', 'admin'],
          shopId: 'cafe',
        },
        expected: 'allowed',
      },
      {
        name: 'lets an admin with the "*" shop claim act in every shop',
        input: { identity: person(['admin'], '*'), groups: ['admin'], shopId: 'any-shop' },
        expected: 'allowed',
      },
      {
        name: 'refuses a barista of another shop',
        input: { identity: person(['barista'], 'other'), groups: ['barista'], shopId: 'cafe' },
        expected: 'forbidden',
      },
      {
        name: 'refuses a display where a barista is needed',
        input: { identity: person(['display'], 'cafe'), groups: ['barista'], shopId: 'cafe' },
        expected: 'forbidden',
      },
      {
        name: 'refuses a barista with "*" where an admin is needed',
        input: { identity: person(['barista'], '*'), groups: ['admin'], shopId: 'cafe' },
        expected: 'forbidden',
      },
      {
        name: 'refuses an admin without a shop claim',
        input: { identity: person(['admin'], undefined), groups: ['admin'], shopId: 'cafe' },
        expected: 'forbidden',
      },
      {
        name: 'refuses a customer with the shop claim but no group',
        input: { identity: person([], 'cafe'), groups: ['barista', 'admin'], shopId: 'cafe' },
        expected: 'forbidden',
      },
    ].forEach((c) => {
      it(c.name, () => {
        const act = () =>
          requireShopRole(c.input.identity, c.input.groups as Group[], c.input.shopId);
        if (c.expected === 'allowed') {
          expect(act).not.to.throw();
        } else {
          const error = thrownBy(act);
          expect(error.status).to.equal(403);
          expect(error.code).to.equal('FORBIDDEN');
        }
      });
    });

    it('says which roles the shop needs when it refuses', () => {
      const error = thrownBy(() =>
        requireShopRole(person([], undefined), ['barista', 'admin'], 'cafe'),
      );

      expect(error.message).to.equal('requires the barista or admin role for shop cafe');
    });
  });

  describe('requirePermission', () => {
    const barista: Identity = { sub: 'u1', groups: ['barista'], shopId: 'cafe' };

    it('lets a barista of the shop read its metrics', () => {
      expect(() => requirePermission(barista, 'metrics.read', 'cafe')).not.to.throw();
    });

    it("refuses a barista the shop config with a 403 naming the table's roles", () => {
      const error = thrownBy(() => requirePermission(barista, 'shop.configure', 'cafe'));

      expect(error.status).to.equal(403);
      expect(error.message).to.equal('requires the admin role for shop cafe');
    });
  });
});
