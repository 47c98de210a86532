import { expect } from 'chai';
import { composeServices, rehearsalEnvironment, summarize } from './rehearse';

describe('deploy rehearsal', () => {
  it('deploys every compose service, each to the stack its serverless.yml names for the stage', async () => {
    const services = await composeServices('rh1');
    expect(services.map((s) => s.name).sort()).to.deep.equal([
      'config',
      'metrics',
      'orders',
      'publisher',
    ]);
    expect(services.find((s) => s.name === 'orders')?.stackName).to.equal('espresso-orders-rh1');
  });

  it('points the framework and the SDK v3 clients at the stand-in, for its stage only', () => {
    const env = rehearsalEnvironment(
      { endpoint: 'http://localhost:5055', port: 5055, modelledTypes: ['AWS::SQS::Queue'] },
      'rh1',
      'eu-west-1',
    );
    expect(env).to.include({
      ESPRESSO_REHEARSAL_STAGE: 'rh1',
      ESPRESSO_REHEARSAL_PORT: '5055',
      ESPRESSO_REHEARSAL_MODELLED_TYPES: 'AWS::SQS::Queue',
      AWS_ENDPOINT_URL: 'http://localhost:5055',
      AWS_REGION: 'eu-west-1',
    });
  });

  it('sums up per resource type what was created, read back or skipped', () => {
    const rows = summarize([
      {
        service: 'a',
        logicalId: 'T',
        type: 'AWS::DynamoDB::Table',
        created: true,
        checked: 'keys',
      },
      { service: 'a', logicalId: 'P', type: 'AWS::Cognito::UserPool', created: false },
      { service: 'b', logicalId: 'Q', type: 'AWS::SQS::Queue', created: true },
      { service: 'b', logicalId: 'R', type: 'AWS::SQS::Queue', created: false },
    ]);
    expect(rows).to.deep.equal([
      { type: 'AWS::Cognito::UserPool', count: 1, outcome: 'skipped: not modelled by moto' },
      { type: 'AWS::DynamoDB::Table', count: 1, outcome: 'created; read back: keys' },
      { type: 'AWS::SQS::Queue', count: 2, outcome: '1 of 2 created' },
    ]);
  });
});
