import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ReadStream } from 'node:fs';

/** Export files live under `<dataDir>/exports/<job>/<Type>.ndjson`. */
export function jobDir(dataDir: string, job: string): string {
  return path.join(dataDir, 'exports', job);
}

export function fileName(type: string): string {
  return `${type}.ndjson`;
}

const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FILE = /^[A-Z][A-Za-z]{1,63}\.ndjson$/;

/** Job ids are UUIDs and files are type names: anything else (`..`, slashes) never reaches the file system. */
export function isJobId(value: string): boolean {
  return JOB_ID.test(value);
}

export function isFileName(value: string): boolean {
  return FILE.test(value);
}

export async function removeJobFiles(dataDir: string, job: string): Promise<void> {
  await rm(jobDir(dataDir, job), { recursive: true, force: true });
}

/** A stream of one export file and its size, or undefined when it does not exist. */
export async function openJobFile(dataDir: string, job: string, file: string): Promise<{ stream: ReadStream; size: number } | undefined> {
  const full = path.join(jobDir(dataDir, job), file);
  try {
    const info = await stat(full);
    if (!info.isFile()) return undefined;
    return { stream: createReadStream(full), size: info.size };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
