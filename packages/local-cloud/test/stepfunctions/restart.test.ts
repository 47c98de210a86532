import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  DescribeExecutionCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { expect } from 'chai';
import { afterEach, beforeEach, describe, it } from 'mocha';
import type { InvokeLambda } from '../../src/lambda';
import { type LocalStepFunctions, startLocalStepFunctions } from '../../src/stepfunctions';
import type { StoredExecution } from '../../src/stepfunctions/persistence';
import { freePort, localCredentials, sleep, waitFor } from '../../src/util';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const FUNCTION = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:await-customer`;

/** A pause then a wait for the customer's choice, as the OrderProcessor does. */
const definition = (taskTimeoutSeconds: number) =>
  JSON.stringify({
    StartAt: 'Prepare',
    TimeoutSeconds: 3600,
    States: {
      Prepare: { Type: 'Pass', Result: { ready: true }, ResultPath: '$.prepared', Next: 'Hold' },
      Hold: { Type: 'Wait', SecondsPath: '$.holdSeconds', Next: 'WaitForCustomer' },
      WaitForCustomer: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: {
          FunctionName: FUNCTION,
          Payload: { 'taskToken.$': '$$.Task.Token', 'orderId.$': '$.orderId' },
        },
        TimeoutSeconds: taskTimeoutSeconds,
        ResultPath: '$.selection',
        Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'TimedOut' }],
        Next: 'Selected',
      },
      Selected: { Type: 'Pass', Result: 'SELECTED', ResultPath: '$.ending', End: true },
      TimedOut: { Type: 'Pass', Result: 'TIMED_OUT', ResultPath: '$.ending', End: true },
    },
  });

/** One start of the local Step Functions on a state folder, as `pnpm start` makes it. */
interface Run {
  local: LocalStepFunctions;
  sfn: SFNClient;
  /** The task tokens the function was invoked with, in order. */
  tokens: string[];
  stop(): Promise<void>;
}

describe('local Step Functions across a restart', function () {
  this.timeout(30_000);
  let stateDir: string;
  let stateFile: string;
  const runs: Run[] = [];

  const start = async (
    options: { machine?: string | undefined; resume?: boolean; later?: boolean } = {},
  ): Promise<Run> => {
    const tokens: string[] = [];
    const invokeLambda: InvokeLambda = async (_name, payload) => {
      tokens.push((payload as { taskToken: string }).taskToken);
      return { payload: null };
    };
    const local = await startLocalStepFunctions({
      port: await freePort(),
      region: REGION,
      accountId: ACCOUNT,
      // No DynamoDB or EventBridge task runs here.
      endpoints: { dynamodb: 'http://127.0.0.1:9', events: 'http://127.0.0.1:9' },
      invokeLambda,
      stateFile,
    });
    if (options.machine !== undefined) {
      local.createStateMachine({
        name: 'Orders',
        type: 'STANDARD',
        definition: options.machine,
        owner: 'orders',
      });
    }
    if (options.resume !== false)
      // `later`: as when the stack starts without the service that owns the machine.
      await local.resumeExecutions({
        later: (owner) => options.later === true && owner === 'orders',
      });
    const sfn = new SFNClient({
      endpoint: local.endpoint,
      region: REGION,
      credentials: localCredentials,
      disableHostPrefix: true,
    });
    const run: Run = {
      local,
      sfn,
      tokens,
      async stop() {
        sfn.destroy();
        await local.stop();
      },
    };
    runs.push(run);
    return run;
  };

  const machineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:Orders`;
  const startOrder = async (run: Run, orderId: string, holdSeconds: number) => {
    const { executionArn } = await run.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: machineArn,
        name: orderId,
        input: JSON.stringify({ orderId, holdSeconds }),
      }),
    );
    return executionArn as string;
  };
  const describeExecution = (run: Run, executionArn: string) =>
    run.sfn.send(new DescribeExecutionCommand({ executionArn }));
  const history = async (run: Run, executionArn: string): Promise<HistoryEvent[]> =>
    (await run.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 })))
      .events ?? [];
  const finished = (run: Run, executionArn: string) =>
    waitFor(async () => {
      const described = await describeExecution(run, executionArn);
      if (described.status === 'RUNNING') throw new Error('still running');
      return described;
    }, 15_000);
  const storedRunning = async (): Promise<StoredExecution[]> =>
    (JSON.parse(await readFile(stateFile, 'utf8')) as { executions: StoredExecution[] }).executions;

  beforeEach(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'espresso-sfn-restart-'));
    stateFile = path.join(stateDir, 'executions.json');
  });
  afterEach(async () => {
    for (const run of runs.splice(0)) await run.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('resumes a Wait state where it was, counted from when it was entered, with one history', async () => {
    const first = await start({ machine: definition(60) });
    const arn = await startOrder(first, 'order-wait', 2);
    await waitFor(async () => {
      const [exec] = first.local.executions();
      if (exec?.currentState !== 'Hold') throw new Error('not yet waiting');
    }, 5000);
    await first.stop();
    const [kept] = await storedRunning();
    expect(kept?.status).to.equal('RUNNING');
    expect(kept?.at?.state).to.equal('Hold');
    // When the engine entered the Wait state (seen by the poll above up to a poll later).
    const enteredAt = Date.parse(String(kept?.at?.enteredAt));
    expect(enteredAt).to.be.within(Date.now() - 5000, Date.now());

    await sleep(1200);
    const second = await start({ machine: definition(60) });
    const resumedAt = Date.now();
    await waitFor(async () => {
      if (second.tokens.length === 0) throw new Error('not yet waiting for the customer');
    }, 5000);
    // 2 s after the Wait state was entered, not 2 s after the restart.
    expect(Date.now() - resumedAt).to.be.below(1500);
    expect(Date.now() - enteredAt).to.be.at.least(1900);

    const summary = second.local.executions().find((e) => e.executionArn === arn);
    expect(summary).to.include({ status: 'RUNNING', currentState: 'WaitForCustomer', resumes: 1 });
    await second.sfn.send(
      new SendTaskSuccessCommand({ taskToken: second.tokens[0], output: '{"outcome":"SELECTED"}' }),
    );
    const done = await finished(second, arn);
    expect(done.status).to.equal('SUCCEEDED');
    expect(JSON.parse(done.output ?? '{}')).to.include({ ending: 'SELECTED' });
    expect(JSON.parse(done.output ?? '{}').selection).to.deep.equal({ outcome: 'SELECTED' });

    const events = await history(second, arn);
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'ExecutionStarted')).to.have.length(1);
    expect(types.filter((t) => t === 'WaitStateEntered')).to.have.length(1);
    expect(types.at(-1)).to.equal('ExecutionSucceeded');
    expect(events.map((e) => e.id)).to.deep.equal(events.map((_, i) => i + 1));
    await waitFor(async () => {
      expect(await storedRunning()).to.deep.equal([]);
    }, 2000);
  });

  it('re-invokes a waitForTaskToken task with a new token; the old one answers TaskTimedOut', async () => {
    const first = await start({ machine: definition(60) });
    const arn = await startOrder(first, 'order-token', 0);
    await waitFor(async () => {
      if (first.tokens.length === 0) throw new Error('not yet waiting for the customer');
    }, 5000);
    await first.stop();

    const second = await start({ machine: definition(60) });
    await waitFor(async () => {
      if (second.tokens.length === 0) throw new Error('the task was not invoked again');
    }, 5000);
    const [before] = first.tokens;
    const [after] = second.tokens;
    expect(after).to.be.a('string').and.not.equal(before);
    const stale = await second.sfn
      .send(new SendTaskSuccessCommand({ taskToken: before, output: '{}' }))
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(stale).to.be.instanceOf(TaskTimedOut);

    await second.sfn.send(
      new SendTaskSuccessCommand({ taskToken: after, output: '{"outcome":"SELECTED"}' }),
    );
    const done = await finished(second, arn);
    expect(done.status).to.equal('SUCCEEDED');
    expect(done.executionArn).to.equal(arn);
    const types = (await history(second, arn)).map((e) => e.type);
    expect(types.filter((t) => t === 'TaskStateEntered')).to.have.length(1);
    expect(types.filter((t) => t === 'TaskScheduled')).to.have.length(2);
  });

  it('counts a task timeout from the original attempt: the rest after a short stop', async () => {
    const first = await start({ machine: definition(3) });
    const arn = await startOrder(first, 'order-rest', 0);
    await waitFor(async () => {
      if (first.tokens.length === 0) throw new Error('not yet waiting for the customer');
    }, 5000);
    const attemptStarted = Date.now();
    await first.stop();
    await sleep(1500);

    const second = await start({ machine: definition(3) });
    const resumedAt = Date.now();
    const done = await finished(second, arn);
    expect(done.status).to.equal('SUCCEEDED');
    expect(JSON.parse(done.output ?? '{}')).to.include({ ending: 'TIMED_OUT' });
    // 3 s from the first attempt, so about 1.5 s after the restart.
    expect(Date.now() - attemptStarted).to.be.at.least(2900);
    expect(Date.now() - resumedAt).to.be.below(2700);
    expect(second.tokens).to.have.length(1);
  });

  it('times a task out at once, without invoking it again, when its timeout passed while stopped', async () => {
    const first = await start({ machine: definition(1) });
    const arn = await startOrder(first, 'order-late', 0);
    await waitFor(async () => {
      if (first.tokens.length === 0) throw new Error('not yet waiting for the customer');
    }, 5000);
    await first.stop();
    await sleep(1500);

    const second = await start({ machine: definition(1) });
    const resumedAt = Date.now();
    const done = await finished(second, arn);
    expect(Date.now() - resumedAt).to.be.below(1000);
    expect(JSON.parse(done.output ?? '{}')).to.include({ ending: 'TIMED_OUT' });
    expect(second.tokens).to.deep.equal([]);
    const types = (await history(second, arn)).map((e) => e.type);
    expect(types).to.include('TaskTimedOut');
  });

  it('fails an execution whose state machine is gone, saying why, and describes it afterwards', async () => {
    const first = await start({ machine: definition(60) });
    const arn = await startOrder(first, 'order-orphan', 0);
    await waitFor(async () => {
      if (first.tokens.length === 0) throw new Error('not yet waiting for the customer');
    }, 5000);
    await first.stop();

    const second = await start({ resume: false });
    expect(await second.local.resumeExecutions()).to.deep.equal({
      resumed: 0,
      failed: 1,
      later: 0,
    });
    const failed = await describeExecution(second, arn);
    expect(failed.status).to.equal('FAILED');
    expect(failed.error).to.equal('States.Runtime');
    expect(failed.cause).to.match(/state machine Orders no longer exists/);
    const events = await history(second, arn);
    expect(events.at(-1)?.type).to.equal('ExecutionFailed');
    expect(events[0]?.type).to.equal('ExecutionStarted');
    await second.stop();

    // Finished executions are kept across the next restart too.
    const third = await start({ machine: definition(60) });
    expect((await describeExecution(third, arn)).status).to.equal('FAILED');
    expect(third.local.executions().map((e) => e.executionArn)).to.deep.equal([arn]);
  });

  it('keeps an execution whose service is not started this time, and resumes it with its service', async () => {
    const first = await start({ machine: definition(60) });
    const arn = await startOrder(first, 'order-later', 0);
    await waitFor(async () => {
      if (first.tokens.length === 0) throw new Error('not yet waiting for the customer');
    }, 5000);
    await first.stop();

    const second = await start({ later: true });
    expect(second.local.executions()).to.deep.equal([]);
    await second.stop();
    expect((await storedRunning()).map((e) => e.arn)).to.deep.equal([arn]);

    const third = await start({ machine: definition(60) });
    await waitFor(async () => {
      if (third.tokens.length === 0) throw new Error('the task was not invoked again');
    }, 5000);
    expect((await describeExecution(third, arn)).status).to.equal('RUNNING');
  });

  it('refuses a new execution under the name of one waiting to be resumed', async () => {
    const first = await start({ machine: definition(60) });
    await startOrder(first, 'order-twice', 0);
    await waitFor(async () => {
      if (first.tokens.length === 0) throw new Error('not yet waiting for the customer');
    }, 5000);
    await first.stop();
    const second = await start({ machine: definition(60), resume: false });
    const refused = await startOrder(second, 'order-twice', 0).then(
      () => undefined,
      (error: Error) => error.name,
    );
    expect(refused).to.equal('ExecutionAlreadyExists');
  });

  it('reads a finished-executions file cut short by a crash, skipping the broken line', async () => {
    const first = await start({ machine: definition(60) });
    const arn = await startOrder(first, 'order-crash', 0);
    await waitFor(async () => {
      if (first.tokens.length === 0) throw new Error('not yet waiting for the customer');
    }, 5000);
    await first.sfn.send(
      new SendTaskSuccessCommand({ taskToken: first.tokens[0], output: '{"outcome":"SELECTED"}' }),
    );
    await finished(first, arn);
    await first.stop();
    const finishedFile = path.join(stateDir, 'executions-finished.jsonl');
    await writeFile(finishedFile, `${await readFile(finishedFile, 'utf8')}{"arn":"arn:aws:sta`);

    const second = await start({ machine: definition(60) });
    expect((await describeExecution(second, arn)).status).to.equal('SUCCEEDED');
    expect((await readFile(finishedFile, 'utf8')).trim().split('\n')).to.have.length(1);
    // Read back before its machine was created, it belongs to that machine once created.
    const { definition: machineDefinition } = await second.sfn.send(
      new DescribeStateMachineForExecutionCommand({ executionArn: arn }),
    );
    expect(machineDefinition).to.equal(definition(60));
  });
});
