import { spawn, spawnSync } from 'node:child_process';
import { freePort, trackChild } from '@espresso/local-cloud';
import { retry } from '@espresso/retry';

/** moto_server, AWS's APIs on one local port (moto 5.2.1, Python). */
export interface Moto {
  endpoint: string;
  port: number;
  /** CloudFormation resource types moto's CloudFormation creates (the rest it skips). */
  modelledTypes: string[];
  /** The types moto said it skipped ("Tried to parse … but it's not supported"). */
  skippedTypes: () => string[];
  stop: () => Promise<void>;
}

const INSTALL_HINT =
  'moto_server is not on PATH: install moto 5.2.1 (`pip install "moto[server]==5.2.1"` or `pipx install "moto[server]==5.2.1"`).';

/** Asks the installed moto itself which resource types its CloudFormation models. */
export const motoModelledTypes = (): string[] => {
  const python = process.env.MOTO_PYTHON ?? 'python3';
  const script =
    'import json; from moto.cloudformation.parsing import get_model_map; print(json.dumps(sorted(get_model_map())))';
  const result = spawnSync(python, ['-c', script], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${INSTALL_HINT}\n${result.stderr}`);
  return JSON.parse(result.stdout) as string[];
};

export const startMoto = async (): Promise<Moto> => {
  const modelledTypes = motoModelledTypes();
  const port = await freePort();
  const child = trackChild(
    spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let log = '';
  child.stdout?.on('data', (chunk) => {
    log += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    log += chunk;
  });
  const spawned = new Promise<never>((_, reject) =>
    child.once('error', (error) => reject(new Error(`${INSTALL_HINT}\n${error.message}`))),
  );
  const endpoint = `http://localhost:${port}`;
  const exited = () => new Error(`moto_server exited:\n${log}`);
  const answers = async () => {
    if (child.exitCode !== null) throw exited();
    const response = await fetch(`http://127.0.0.1:${port}/moto-api/`).catch(() => undefined);
    // not listening yet (or not answering yet)
    if (!response?.ok) throw new Error(`moto_server did not answer on port ${port}:\n${log}`);
  };
  const ready = () =>
    retry(answers, {
      attempts: 100,
      pauseMs: () => 200,
      retryOn: () => child.exitCode === null,
    }).catch((error: Error) => {
      throw child.exitCode !== null ? exited() : error;
    });
  await Promise.race([ready(), spawned]);
  return {
    endpoint,
    port,
    modelledTypes,
    skippedTypes: () =>
      [...log.matchAll(/Tried to parse (\S+) but it's not supported/g)]
        .map(([, type]) => type as string)
        .filter((type, index, all) => all.indexOf(type) === index)
        .sort(),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
};
