import { expect } from 'chai';
import { describe, it } from 'mocha';
import * as common from './common';
import * as errors from './errors';
import * as events from './events';
import * as identity from './identity';
import * as schemas from './index';
import * as items from './items';
import * as metrics from './metrics';
import * as order from './order';
import * as permissions from './permissions';
import * as shop from './shop';
import * as web from './web';

describe('index', () => {
  [
    { name: 'common', module: common },
    { name: 'errors', module: errors },
    { name: 'shop', module: shop },
    { name: 'identity', module: identity },
    { name: 'order', module: order },
    { name: 'events', module: events },
    { name: 'web', module: web },
    { name: 'metrics', module: metrics },
    { name: 'items', module: items },
    { name: 'permissions', module: permissions },
  ].forEach((c) => {
    it(`re-exports every export of ${c.name} unchanged`, () => {
      const names = Object.keys(c.module);
      expect(names).to.not.be.empty;
      for (const name of names) {
        expect(schemas, name).to.have.property(name, (c.module as Record<string, unknown>)[name]);
      }
    });
  });
});
