import { type ChildProcess, spawn } from 'node:child_process';
import { trackChild } from './util';

/** Something the local stack started and stops again. */
export interface Stoppable {
  stop(): Promise<void>;
}

/** A server of the local stack, at `url`. */
export interface LocalServer extends Stoppable {
  url: string;
}

/** A child process of the local stack (DynamoDB Local, a serverless offline). */
export interface LocalProcess extends Stoppable {
  child: ChildProcess;
  /**
   * What it has printed so far, stdout and stderr: everything up to 2 × OUTPUT_KEPT characters,
   * then at least the last OUTPUT_KEPT (a stack that runs for hours prints every invocation's
   * logs; all of it was kept before).
   */
  output(): string;
  /** Rejects once the process exits: `<name> exited (<code>):` and its output. */
  exited: Promise<never>;
}

/** How much of a process's output is kept for readiness checks and exit messages. */
export const OUTPUT_KEPT = 256 * 1024;

/**
 * Spawns a child process that dies with this one (`trackChild`), keeping the end of its output. `stop`
 * sends SIGTERM and resolves once it exited; with `killAfterMs`, SIGKILL follows after that long.
 */
export const launchProcess = (options: {
  /** How messages name it: "DynamoDB Local", "serverless offline for orders". */
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Each chunk it prints, as it comes. */
  onOutput?: (text: string) => void;
  killAfterMs?: number;
}): LocalProcess => {
  const child = trackChild(
    spawn(options.command, options.args, {
      cwd: options.cwd,
      ...(options.env ? { env: options.env } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    if (output.length > 2 * OUTPUT_KEPT) output = output.slice(-OUTPUT_KEPT);
    options.onOutput?.(text);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`${options.name} exited (${code}):\n${output}`))),
  );
  exited.catch(() => undefined);
  return {
    child,
    output: () => output,
    exited,
    stop: () => stopProcess(child, options.killAfterMs),
  };
};

const stopProcess = (child: ChildProcess, killAfterMs: number | undefined) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force =
      killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });

/**
 * Resolves once `ready(output)` holds, checked at each chunk the process prints. Rejects when it
 * exits first, or after `timeout.ms` with `timeout.message` and its output (stopping it, SIGTERM).
 */
export const untilOutput = (
  running: LocalProcess,
  ready: (output: string) => boolean,
  timeout: { ms: number; message: string },
): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    const { stdout, stderr } = running.child;
    const check = () => {
      if (ready(running.output())) finish();
    };
    const finish = (error?: Error) => {
      clearTimeout(timer);
      stdout?.off('data', check);
      stderr?.off('data', check);
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => {
      running.child.kill('SIGTERM');
      finish(new Error(`${timeout.message}:\n${running.output()}`));
    }, timeout.ms);
    stdout?.on('data', check);
    stderr?.on('data', check);
    running.exited.catch(finish);
  });
