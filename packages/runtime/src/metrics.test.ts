import { expect } from 'chai';
import sinon from 'sinon';
import { countBusiness } from './metrics';

describe('countBusiness', () => {
  afterEach(() => sinon.restore());

  it('emits one CloudWatch EMF record at once with the count and its dimensions', () => {
    const lines: string[] = [];
    sinon.stub(process.stdout, 'write').callsFake((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    countBusiness('OrdersPlaced', { shopId: 'demo' });
    sinon.restore();
    const records = lines
      .flatMap((line) => line.split('\n'))
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).to.have.length(1);
    const [record] = records as [
      {
        _aws: {
          CloudWatchMetrics: {
            Namespace: string;
            Dimensions: string[][];
            Metrics: { Name: string; Unit: string }[];
          }[];
        };
        OrdersPlaced: number;
        shopId: string;
      },
    ];
    const [directive] = record._aws.CloudWatchMetrics;
    expect(directive?.Namespace).to.equal('ServerlessEspresso');
    expect(directive?.Metrics).to.deep.equal([{ Name: 'OrdersPlaced', Unit: 'Count' }]);
    expect(directive?.Dimensions[0]).to.include('shopId');
    expect(record).to.include({ OrdersPlaced: 1, shopId: 'demo' });
  });
});
