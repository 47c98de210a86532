// biome-ignore-all lint/suspicious/noTemplateCurlyInString: compose params are literal ${service.Output} text.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { after, describe, it } from 'mocha';
import type { Template } from '../src/cloudformation';
import {
  afterParamSources,
  localOutputs,
  readCompose,
  resolveComposeParams,
  withDependencies,
} from '../src/compose';
import { COMPOSE_FILE } from '../src/services';

describe('compose', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  const composeFile = async (text: string) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'espresso-compose-'));
    dirs.push(dir);
    const file = path.join(dir, 'serverless-compose.yml');
    await writeFile(file, text);
    return file;
  };

  it('orders services after the ones whose outputs their params use and the ones they dependsOn', async () => {
    const file = await composeFile(`
services:
  metrics:
    path: services/metrics
    params: { ordersTable: '\${orders.OrdersTableName}' }
  orders:
    path: services/orders
    params: { bus: '\${config.EventBusName}', issuer: '\${config.IssuerUrl}' }
  web:
    path: packages/web
    dependsOn: metrics
  config:
    path: services/config
`);
    const services = await readCompose(file);
    expect(services.map((s) => s.name)).to.deep.equal(['config', 'orders', 'metrics', 'web']);
    expect(services[1]?.dir).to.equal(path.join(path.dirname(file), 'services/orders'));
    expect(services[1]?.dependsOn).to.deep.equal(['config']);
  });

  it('refuses a dependency cycle and an unknown service', async () => {
    const cycle = await composeFile(`
services:
  a: { path: a, params: { x: '\${b.Out}' } }
  b: { path: b, params: { y: '\${a.Out}' } }
`);
    await readCompose(cycle).then(
      () => expect.fail('should throw'),
      (error: Error) => expect(error.message).to.match(/cycle/),
    );
    const unknown = await composeFile('services:\n  a: { path: a, dependsOn: [nope] }\n');
    await readCompose(unknown).then(
      () => expect.fail('should throw'),
      (error: Error) => expect(error.message).to.match(/unknown service nope/),
    );
  });

  it('resolves params from earlier outputs and names what is missing', () => {
    const service = {
      name: 'orders',
      dir: '/x',
      dependsOn: ['config'],
      params: { bus: 'bus:${config.EventBusName}' },
    };
    expect(resolveComposeParams(service, { config: { EventBusName: 'b1' } })).to.deep.equal({
      bus: 'bus:b1',
    });
    expect(() => resolveComposeParams(service, { config: {} })).to.throw(
      /orders param bus needs config.EventBusName/,
    );
  });

  it('resolves outputs locally, leaves out the unresolvable ones and applies overrides', () => {
    const template: Template = {
      Resources: {},
      Outputs: {
        Name: { Value: { Ref: 'Bus' } },
        Missing: { Value: { 'Fn::GetAtt': ['Nope', 'Arn'] } },
        IssuerUrl: { Value: 'https://cognito' },
      },
    };
    const ctx = { region: 'us-east-1', accountId: '0', refs: { Bus: 'b' }, attributes: {} };
    expect(localOutputs(template, ctx, { IssuerUrl: 'http://local' })).to.deep.equal({
      Name: 'b',
      IssuerUrl: 'http://local',
    });
  });

  it('adds the services a wanted one depends on, transitively, in deploy order', async () => {
    const file = await composeFile(`
services:
  config: { path: services/config }
  orders: { path: services/orders, params: { bus: '\${config.EventBusName}' } }
  publisher: { path: services/publisher, dependsOn: [orders], params: { bus: '\${config.EventBusName}' } }
  metrics: { path: services/metrics, params: { table: '\${orders.OrdersTableName}' } }
`);
    const composed = await readCompose(file);
    const names = (wanted: string[]) => withDependencies(composed, wanted).map((s) => s.name);
    [
      { wanted: ['config'], expected: ['config'] },
      { wanted: ['orders'], expected: ['config', 'orders'] },
      { wanted: ['publisher'], expected: ['config', 'orders', 'publisher'] },
      { wanted: ['metrics', 'config'], expected: ['config', 'orders', 'metrics'] },
    ].forEach(({ wanted, expected }) => {
      expect(names(wanted), wanted.join()).to.deep.equal(expected);
    });
    expect(() => names(['nope'])).to.throw(/unknown service nope \(serverless-compose.yml has/);
  });

  it('packages a service once those its params need are done, the others at once (the repository’s compose)', async () => {
    const composed = await readCompose(COMPOSE_FILE);
    const events: string[] = [];
    const gates = new Map<string, () => void>();
    const results = afterParamSources(composed, async (service) => {
      events.push(`start ${service.name}`);
      await new Promise<void>((done) => gates.set(service.name, done));
      events.push(`end ${service.name}`);
      return service.name;
    });
    const settle = () => new Promise((done) => setImmediate(done));
    const finish = async (name: string) => {
      gates.get(name)?.();
      await settle();
    };
    await settle();
    expect(events).to.deep.equal(['start config']);
    await finish('config');
    // publisher waits on orders only for deploys (dependsOn); its params need config alone.
    expect(events).to.deep.equal(['start config', 'end config', 'start orders', 'start publisher']);
    await finish('publisher');
    expect(events.at(-1)).to.equal('end publisher');
    await finish('orders');
    expect(events.slice(-2)).to.deep.equal(['end orders', 'start metrics']);
    await finish('metrics');
    expect(await results).to.deep.equal(['config', 'orders', 'publisher', 'metrics']);
  });

  it('brings config up with orders from the repository’s own serverless-compose.yml', async () => {
    const composed = await readCompose(COMPOSE_FILE);
    expect(withDependencies(composed, ['orders']).map((s) => s.name)).to.deep.equal([
      'config',
      'orders',
    ]);
  });

  it("reads the repository's own serverless-compose.yml with config first", async () => {
    const services = await readCompose(COMPOSE_FILE);
    expect(services[0]?.name).to.equal('config');
  });
});
