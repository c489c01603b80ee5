import { createHmac, randomBytes } from 'node:crypto';
import type { Patient } from '@medplum/fhirtypes';
import { FhirError } from '../errors/fhir-error.js';
import type { Db, Queryable } from '../repository/db.js';
import type { Repository } from '../repository/repository.js';
import { replacedBy } from './links.js';

const KEY_NAME = 'pseudonym-key';
/** Changing this label changes every pseudonym: it versions the derivation. */
const LABEL = 'qiao-research-pseudonym-v1';
/** Longest replaced-by chain followed; longer ones only arise from a link cycle. */
const MAX_HOPS = 16;

const storedKeys = new WeakMap<Db, Promise<string>>();

/**
 * The key: the configured one, else one generated on first use and kept in the database, so
 * every instance on it derives the same pseudonyms. Inserted with ON CONFLICT so two instances
 * racing to create it end up with the same key.
 */
export function pseudonymKey(db: Db, configured: string | undefined): Promise<string> {
  if (configured) return Promise.resolve(configured);
  let key = storedKeys.get(db);
  if (!key) {
    key = (async () => {
      await db.query('INSERT INTO qiao_secret (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [KEY_NAME, randomBytes(32).toString('hex')]);
      const [row] = await db.query<{ value: string }>('SELECT value FROM qiao_secret WHERE name = $1', [KEY_NAME]);
      if (!row) throw new Error('the pseudonym key could not be stored');
      return row.value;
    })();
    key.catch(() => storedKeys.delete(db));
    storedKeys.set(db, key);
  }
  return key;
}

/** HMAC-SM3 (GB/T 32905) of the patient's id under the key, as 64 lower-case hex digits. */
export function derivePseudonym(key: string, patientId: string): string {
  return createHmac('sm3', key).update(`${LABEL}\u0000Patient/${patientId}`).digest('hex');
}

/** The record that stands for the person now: a merged record's survivor, followed to the end. */
export async function survivorOf(q: Queryable, repo: Repository, id: string): Promise<string> {
  let current = id;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const next = replacedBy(JSON.parse((await repo.read(q, 'Patient', current)).json as string) as Patient);
    if (!next) return current;
    current = next;
  }
  throw new FhirError('mpi.link-cycle', { id });
}

/**
 * The research pseudonym of a patient: stable for the person (records merged into another share
 * the survivor's), unlinkable to the id without the key, and the same across exports.
 */
export async function pseudonymOf(q: Queryable, repo: Repository, key: string, id: string): Promise<{ survivor: string; pseudonym: string }> {
  const survivor = await survivorOf(q, repo, id);
  return { survivor, pseudonym: derivePseudonym(key, survivor) };
}
