import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DETAIL_TYPES, EVENT_DETAIL_SCHEMAS } from '../events';
import { detailJsonSchema, snapshotKey } from './checks';
import type { JsonSchema } from './compatibility';

/** `packages/schemas/contracts/events/`: one committed JSON Schema per detail-type and version. */
export const SNAPSHOT_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../contracts/events',
);

export const readSnapshots = async (dir = SNAPSHOT_DIR): Promise<Record<string, JsonSchema>> => {
  const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.json'));
  return Object.fromEntries(
    await Promise.all(
      files.map(async (file) => [
        file.replace(/\.json$/, ''),
        JSON.parse(await readFile(path.join(dir, file), 'utf8')) as JsonSchema,
      ]),
    ),
  );
};

/** Writes the current schema of every detail-type as `<detail-type>.v<version>.json`. */
export const writeSnapshots = async (
  keys: readonly string[] | 'all' = 'all',
  dir = SNAPSHOT_DIR,
): Promise<string[]> => {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const type of DETAIL_TYPES) {
    const schema = detailJsonSchema(EVENT_DETAIL_SCHEMAS[type]);
    const key = snapshotKey(type, schema);
    if (keys !== 'all' && !keys.includes(key)) continue;
    await writeFile(path.join(dir, `${key}.json`), `${JSON.stringify(schema, null, 2)}\n`);
    written.push(key);
  }
  return written;
};
