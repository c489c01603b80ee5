import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jest } from '@jest/globals';
import smCrypto from 'sm-crypto';
import { generateKeyFile } from '../../src/crypto/index.js';
import { createHash } from 'node:crypto';
import { publishedKeys, receiptKey, signingKey } from '../../src/signatures/keys.js';
import { receipt } from '../../src/signatures/receipt.js';
import { backendToken, bearer, useAuthServer, userToken } from '../support/auth.js';
import { call, type Reply } from '../support/http.js';
import { BACKENDS } from '../support/test-server.js';

// Servers start slowly on a loaded two-core machine; the root jest run does not apply the project's testTimeout.
jest.setTimeout(180000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const USER_ID = '1234567812345678';
const AUTHORS_SIGNATURE = '1.2.840.10065.1.12.1.1';
const labBytes = readFileSync(new URL('../../../cda-adapters/test/fixtures/C0007-lab-report.xml', import.meta.url));

/** The canonical form as docs/signatures.md defines it, written here from the definition (not imported from the module under test). */
function canonical(resource: Json): Buffer {
  const { meta: _m, text: _t, ...rest } = resource;
  const walk = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(walk).join(',')}]`;
    if (v && typeof v === 'object') {
      const keys = Object.keys(v).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${walk((v as Record<string, unknown>)[k])}`).join(',')}}`;
    }
    return JSON.stringify(v);
  };
  return Buffer.from(walk(rest), 'utf8');
}

const opensslHasSm2 = spawnSync('openssl', ['list', '-public-key-algorithms'], { encoding: 'utf8' }).stdout?.includes('SM2') ?? false;

/** The openssl CLI's verdict on an SM2 signature (DER) with the standard user ID. */
function opensslVerifies(pem: string, message: Buffer, der: Buffer): boolean {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qiao-sm2-'));
  try {
    writeFileSync(path.join(dir, 'key.pem'), pem);
    writeFileSync(path.join(dir, 'message'), message);
    writeFileSync(path.join(dir, 'signature'), der);
    const run = spawnSync('openssl', ['pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-pkeyopt', `distid:${USER_ID}`, '-pubin', '-inkey', 'key.pem', '-in', 'message', '-sigfile', 'signature'], { cwd: dir, encoding: 'utf8' });
    return run.status === 0 && run.stdout.includes('Verified Successfully');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function smCryptoVerifies(publicKeyHex: string, message: Buffer, der: Buffer): boolean {
  return smCrypto.sm2.doVerifySignature(Array.from(message), der.toString('hex'), publicKeyHex, { der: true, hash: true, userId: USER_ID });
}

function report(id: string, status: string, conclusion: string): Json {
  return {
    resourceType: 'DiagnosticReport',
    id,
    status,
    code: { coding: [{ system: 'http://loinc.org', code: '18748-4', display: 'Diagnostic imaging study' }] },
    conclusion,
  };
}

const param = (reply: Reply, name: string): Json => reply.body.parameter.find((p: Json) => p.name === name);

describe.each(BACKENDS)('SM2-signed DiagnosticReports on %s', (backend) => {
  const server = useAuthServer(backend);
  let radiologist: Record<string, string>;
  let fhirUser: string;
  let backendClient: { headers: Record<string, string>; clientId: string };

  beforeAll(async () => {
    const reply = await userToken(server, { username: 'radiologist', scopes: 'openid fhirUser user/*.cruds' });
    expect(reply.status).toBe(200);
    radiologist = bearer(reply.body.access_token);
    const [, payload] = (reply.body.id_token as string).split('.');
    fhirUser = new URL(JSON.parse(Buffer.from(payload as string, 'base64url').toString('utf8')).fhirUser).pathname.replace(/^.*\/fhir\//, '');
    expect(fhirUser).toMatch(/^Practitioner\//);
    const client = await backendToken(server, { scopes: 'system/*.cruds', roles: ['clinician'] });
    backendClient = { headers: bearer(client.accessToken), clientId: client.clientId };
  });

  const provenancesOf = async (id: string): Promise<Json[]> => {
    const rows = await server.ctx.db.query<{ provenance_id: string }>("SELECT provenance_id FROM signature_record WHERE target_type = 'DiagnosticReport' AND target_id = $1 ORDER BY target_version", [id]);
    return Promise.all(rows.map(async (r) => (await call(server.base, 'GET', `Provenance/${r.provenance_id}`, undefined, radiologist)).body));
  };

  it('a radiologist signing a report (PUT final) gets a Provenance whose SM2 signature verifies with openssl and sm-crypto', async () => {
    const written = await call(server.base, 'PUT', 'DiagnosticReport/sig-final', report('sig-final', 'final', '右肺上叶结节，建议随访 | RUL nodule, follow up'), radiologist);
    expect(written.status).toBe(201);
    const [provenance, more] = await provenancesOf('sig-final');
    expect(more).toBeUndefined();
    expect(provenance.target).toEqual([{ reference: 'DiagnosticReport/sig-final/_history/1' }]);
    expect(provenance.agent[0].who.reference).toBe(fhirUser);
    const signature = provenance.signature[0];
    expect(signature.type[0].code).toBe(AUTHORS_SIGNATURE);
    expect(signature.who.reference).toBe(fhirUser);
    expect(signature.sigFormat).toBe('application/x-sm2-signature');
    expect(Date.parse(signature.when)).toBeGreaterThan(Date.now() - 120_000);

    const keys = await call(server.base, 'GET', `$signature-keys?signer=${fhirUser}`, undefined, radiologist);
    expect(keys.status).toBe(200);
    const key = keys.body.parameter[0].part;
    const pem = key.find((p: Json) => p.name === 'publicKeyPem').valueString as string;
    const hex = key.find((p: Json) => p.name === 'publicKey').valueString as string;
    const der = Buffer.from(signature.data, 'base64');
    const stored = (await call(server.base, 'GET', 'DiagnosticReport/sig-final', undefined, radiologist)).body;
    const message = canonical(stored);
    expect(smCryptoVerifies(hex, message, der)).toBe(true);
    expect(smCryptoVerifies(hex, canonical({ ...stored, conclusion: 'x' }), der)).toBe(false);
    if (opensslHasSm2) {
      expect(opensslVerifies(pem, message, der)).toBe(true);
      expect(opensslVerifies(pem, canonical({ ...stored, status: 'preliminary' }), der)).toBe(false);
    } else {
      console.warn('openssl CLI without SM2 here: checked with sm-crypto only');
    }
  });

  it('a read says the signature is valid; tampering with the stored row makes it invalid', async () => {
    const read = await call(server.base, 'GET', 'DiagnosticReport/sig-final', undefined, radiologist);
    expect(read.headers.get('x-qiao-signature')).toMatch(new RegExp(`^valid; signer="${fhirUser}"; provenance="Provenance/`));
    const vread = await call(server.base, 'GET', 'DiagnosticReport/sig-final/_history/1', undefined, radiologist);
    expect(vread.headers.get('x-qiao-signature')).toMatch(/^valid;/);
    const ok = await call(server.base, 'GET', 'DiagnosticReport/sig-final/$verify-signature', undefined, radiologist);
    expect(param(ok, 'result').valueCode).toBe('valid');
    expect(param(ok, 'signer').valueReference.reference).toBe(fhirUser);
    expect(param(ok, 'userId').valueString).toBe(USER_ID);
    expect(param(ok, 'message').valueString).toBe('签名有效 | The signature is valid');

    const provenance = param(ok, 'provenance').valueReference.reference;
    const viaProvenance = await call(server.base, 'GET', `${provenance}/$verify-signature`, undefined, radiologist);
    expect(param(viaProvenance, 'result').valueCode).toBe('valid');
    expect(param(viaProvenance, 'signedVersion').valueString).toBe('DiagnosticReport/sig-final/_history/1');

    await server.ctx.db.query("UPDATE resource SET content = replace(content, '建议随访', '无需随访') WHERE resource_type = 'DiagnosticReport' AND id = 'sig-final'");
    const tampered = await call(server.base, 'GET', 'DiagnosticReport/sig-final', undefined, radiologist);
    expect(tampered.body.conclusion).toContain('无需随访');
    expect(tampered.headers.get('x-qiao-signature')).toMatch(/^invalid; reason="altered"/);
    const bad = await call(server.base, 'GET', 'DiagnosticReport/sig-final/$verify-signature', undefined, radiologist);
    expect(param(bad, 'result').valueCode).toBe('invalid');
    expect(param(bad, 'reason').valueCode).toBe('altered');
    expect(param(bad, 'message').valueString).toMatch(/^签名无效：.+ \| The signature is not valid: /);
  });

  it("reads rely on the server's receipt of a signature it made; a receipt that does not match falls back to SM2; $verify-signature always verifies", async () => {
    expect((await call(server.base, 'PUT', 'DiagnosticReport/sig-receipt', report('sig-receipt', 'final', '建议随访 | Follow up'), radiologist)).status).toBe(201);
    const [row] = await server.ctx.db.query<{ receipt: Uint8Array | null; kid: string }>("SELECT receipt, kid FROM signature_record WHERE target_id = 'sig-receipt'");
    expect(row?.receipt).toHaveLength(32);

    // A receipt that no longer matches (the row tampered with) is not trusted: SM2 decides, and the signature is good.
    await server.ctx.db.query("UPDATE signature_record SET receipt = decode(repeat('00', 32), 'hex') WHERE target_id = 'sig-receipt'");
    expect((await call(server.base, 'GET', 'DiagnosticReport/sig-receipt', undefined, radiologist)).headers.get('x-qiao-signature')).toMatch(/^valid;/);

    // Content changed together with a receipt made for it — which takes the key file — is what only full verification catches:
    // the read trusts the receipt, $verify-signature does not.
    await server.ctx.db.query("UPDATE resource SET content = replace(content, '建议随访', '无需随访') WHERE resource_type = 'DiagnosticReport' AND id = 'sig-receipt'");
    const altered = (await call(server.base, 'GET', 'DiagnosticReport/sig-receipt', undefined, radiologist)).body;
    expect(altered.conclusion).toContain('无需随访');
    expect((await call(server.base, 'GET', 'DiagnosticReport/sig-receipt', undefined, radiologist)).headers.get('x-qiao-signature')).toMatch(/^invalid; reason="altered"/);
    const [provenance] = await provenancesOf('sig-receipt');
    const signature = Buffer.from(provenance.signature[0].data, 'base64');
    const key = (await receiptKey(server.ctx.config)) as Buffer;
    const forged = receipt(key, row?.kid as string, USER_ID, signature, createHash('sm3').update(canonical(altered)).digest());
    await server.ctx.db.query("UPDATE signature_record SET receipt = $1 WHERE target_id = 'sig-receipt'", [forged]);
    expect((await call(server.base, 'GET', 'DiagnosticReport/sig-receipt', undefined, radiologist)).headers.get('x-qiao-signature')).toMatch(/^valid;/);
    const full = await call(server.base, 'GET', 'DiagnosticReport/sig-receipt/$verify-signature', undefined, radiologist);
    expect(param(full, 'result').valueCode).toBe('invalid');
    expect(param(full, 'reason').valueCode).toBe('altered');
  });

  it('a later version nobody signed reports "changed since signing"; a preliminary report is unsigned', async () => {
    expect((await call(server.base, 'PUT', 'DiagnosticReport/sig-later', report('sig-later', 'final', '正常 | Normal'), radiologist)).status).toBe(201);
    // The same content again with only meta changed keeps the signature valid.
    const preliminary = await call(server.base, 'PUT', 'DiagnosticReport/sig-later', report('sig-later', 'preliminary', '正常 | Normal'), radiologist);
    expect(preliminary.status).toBe(200);
    const read = await call(server.base, 'GET', 'DiagnosticReport/sig-later', undefined, radiologist);
    expect(read.headers.get('x-qiao-signature')).toMatch(/^invalid; reason="changed-since-signing"; .*signed="DiagnosticReport\/sig-later\/_history\/1"/);
    // The signed version itself still verifies.
    const v1 = await call(server.base, 'GET', 'DiagnosticReport/sig-later/_history/1', undefined, radiologist);
    expect(v1.headers.get('x-qiao-signature')).toMatch(/^valid;/);

    expect((await call(server.base, 'PUT', 'DiagnosticReport/sig-draft', report('sig-draft', 'preliminary', '待定 | Pending'), radiologist)).status).toBe(201);
    expect(await provenancesOf('sig-draft')).toEqual([]);
    const draft = await call(server.base, 'GET', 'DiagnosticReport/sig-draft', undefined, radiologist);
    expect(draft.headers.get('x-qiao-signature')).toBe('unsigned');
    const verdict = await call(server.base, 'GET', 'DiagnosticReport/sig-draft/$verify-signature', undefined, radiologist);
    expect(param(verdict, 'result').valueCode).toBe('unsigned');

    // A search page lists each match's verdict.
    const search = await call(server.base, 'GET', 'DiagnosticReport?_id=sig-later,sig-draft,sig-final', undefined, radiologist);
    expect(search.body.entry).toHaveLength(3);
    const verdicts = (search.headers.get('x-qiao-signatures') ?? '').split(', ').sort();
    expect(verdicts).toEqual(['DiagnosticReport/sig-draft=unsigned', 'DiagnosticReport/sig-final=invalid', 'DiagnosticReport/sig-later=invalid']);
    const cut = await call(server.base, 'GET', 'DiagnosticReport?_id=sig-later,sig-draft&_elements=status', undefined, radiologist);
    expect(cut.body.entry).toHaveLength(2);
    expect(cut.headers.get('x-qiao-signatures')).toBeNull();
  });

  it('a signature whose Provenance is gone says so, in a read and in a search page', async () => {
    expect((await call(server.base, 'PUT', 'DiagnosticReport/sig-gone', report('sig-gone', 'final', '已复核 | Reviewed'), radiologist)).status).toBe(201);
    const [provenance] = await provenancesOf('sig-gone');
    const header = async (path: string, name: string) => (await call(server.base, 'GET', path, undefined, radiologist)).headers.get(name);
    expect(await header('DiagnosticReport/sig-gone', 'x-qiao-signature')).toMatch(/^valid;/);
    await server.ctx.db.query("UPDATE resource SET deleted = true WHERE resource_type = 'Provenance' AND id = $1", [provenance?.id]);
    expect(await header('DiagnosticReport/sig-gone', 'x-qiao-signature')).toMatch(/^invalid; reason="provenance-missing"/);
    expect(await header('DiagnosticReport?_id=sig-gone,sig-draft', 'x-qiao-signatures')).toBe('DiagnosticReport/sig-draft=unsigned, DiagnosticReport/sig-gone=invalid');
  });

  it('signs on POST, PATCH and in a transaction; an amended report is signed again', async () => {
    const created = await call(server.base, 'POST', 'DiagnosticReport', { ...report('ignored', 'final', 'POST'), id: undefined }, radiologist);
    expect(created.status).toBe(201);
    expect((await call(server.base, 'GET', `DiagnosticReport/${created.body.id}`, undefined, radiologist)).headers.get('x-qiao-signature')).toMatch(/^valid;/);

    await call(server.base, 'PUT', 'DiagnosticReport/sig-patch', report('sig-patch', 'preliminary', 'PATCH'), radiologist);
    const patched = await call(server.base, 'PATCH', 'DiagnosticReport/sig-patch', [{ op: 'replace', path: '/status', value: 'final' }], { ...radiologist, 'content-type': 'application/json-patch+json' });
    expect(patched.status).toBe(200);
    expect((await provenancesOf('sig-patch'))[0].target[0].reference).toBe('DiagnosticReport/sig-patch/_history/2');
    const amended = await call(server.base, 'PUT', 'DiagnosticReport/sig-patch', report('sig-patch', 'amended', 'PATCH, amended'), radiologist);
    expect(amended.status).toBe(200);
    expect((await provenancesOf('sig-patch')).map((p) => p.target[0].reference)).toEqual(['DiagnosticReport/sig-patch/_history/2', 'DiagnosticReport/sig-patch/_history/3']);
    expect((await call(server.base, 'GET', 'DiagnosticReport/sig-patch', undefined, radiologist)).headers.get('x-qiao-signature')).toMatch(/^valid;.*signed="DiagnosticReport\/sig-patch\/_history\/3"/);

    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:5b7c1e1a-0000-4000-8000-000000000001', resource: { ...report('x', 'final', 'in a transaction'), id: undefined }, request: { method: 'POST', url: 'DiagnosticReport' } },
        { resource: report('sig-tx', 'corrected', 'PUT in a transaction'), request: { method: 'PUT', url: 'DiagnosticReport/sig-tx' } },
      ],
    };
    const tx = await call(server.base, 'POST', '', bundle, radiologist);
    expect(tx.status).toBe(200);
    for (const entry of tx.body.entry as Json[]) {
      const [type, id] = (entry.response.location as string).split('/');
      const read = await call(server.base, 'GET', `${type}/${id}`, undefined, radiologist);
      expect(read.headers.get('x-qiao-signature')).toMatch(new RegExp(`^valid; signer="${fhirUser}"`));
    }
  });

  it('a report from a backend client (no fhirUser) is signed with the server key, naming the client', async () => {
    const written = await call(server.base, 'PUT', 'DiagnosticReport/sig-backend', report('sig-backend', 'final', 'from an interface'), backendClient.headers);
    expect(written.status).toBe(201);
    const [provenance] = await provenancesOf('sig-backend');
    const signature = provenance.signature[0];
    expect(signature.who.type).toBe('Device');
    expect(signature.onBehalfOf.identifier.value).toBe(backendClient.clientId);
    expect(provenance.agent[0].who.identifier.value).toBe(backendClient.clientId);
    const read = await call(server.base, 'GET', 'DiagnosticReport/sig-backend', undefined, backendClient.headers);
    expect(read.headers.get('x-qiao-signature')).toMatch(/^valid; signer="server"/);
    const keyId = signature.extension.find((e: Json) => e.url.endsWith('signature-key-id')).valueString;
    const keys = await call(server.base, 'GET', '$signature-keys?signer=server', undefined, backendClient.headers);
    const key = keys.body.parameter.find((p: Json) => p.part.some((x: Json) => x.name === 'keyId' && x.valueString === keyId)).part;
    const hex = key.find((p: Json) => p.name === 'publicKey').valueString;
    expect(smCryptoVerifies(hex, canonical(read.body), Buffer.from(signature.data, 'base64'))).toBe(true);
  });

  it('a key the key ring can no longer open is retired and replaced; what it signed still verifies', async () => {
    const [before] = (await publishedKeys(server.ctx.db, fhirUser)).filter((k) => !k.retired);
    const otherRing = { ...server.ctx.config, keyFile: undefined, keys: JSON.stringify(generateKeyFile()) };
    const replaced = await signingKey(otherRing, server.ctx.db, fhirUser);
    expect(replaced.kid).not.toBe(before?.kid);
    const after = await publishedKeys(server.ctx.db, fhirUser);
    expect(after.find((k) => k.kid === before?.kid)?.retired).toBeDefined();
    expect(after.filter((k) => !k.retired).map((k) => k.kid)).toEqual([replaced.kid]);
    const v1 = await call(server.base, 'GET', 'DiagnosticReport/sig-later/_history/1', undefined, radiologist);
    expect(v1.headers.get('x-qiao-signature')).toMatch(/^valid;/);
  });

  it('$cda-import keeps the original bytes and seals them in a Provenance signed by the server key', async () => {
    const reply = await call(server.base, 'POST', '$cda-import', labBytes, { ...backendClient.headers, 'content-type': 'application/hl7-cda+xml' });
    expect(reply.status).toBe(200);
    const sealEntry = (reply.body.entry as Json[]).find((e) => (e.response.location as string).startsWith('Provenance/'));
    const provenanceId = (sealEntry.response.location as string).split('/')[1];
    const provenance = (await call(server.base, 'GET', `Provenance/${provenanceId}`, undefined, backendClient.headers)).body;
    const binaryRef = provenance.target.find((t: Json) => t.reference.startsWith('Binary/')).reference;
    expect(provenance.target.some((t: Json) => /^DocumentReference\/[^/]+$/.test(t.reference))).toBe(true);
    const binary = (await call(server.base, 'GET', binaryRef, undefined, { ...backendClient.headers, accept: 'application/fhir+json' })).body;
    expect(Buffer.from(binary.data, 'base64').equals(labBytes)).toBe(true);
    const signature = provenance.signature[0];
    const digest = signature.extension.find((e: Json) => e.url.endsWith('signature-sm3-digest')).valueString;
    expect(digest).toBe(execFileSync('openssl', ['dgst', '-sm3', '-r'], { input: labBytes }).toString('utf8').split(' ')[0]);
    const keyId = signature.extension.find((e: Json) => e.url.endsWith('signature-key-id')).valueString;
    const keys = await call(server.base, 'GET', '$signature-keys?signer=server', undefined, backendClient.headers);
    const key = keys.body.parameter.find((p: Json) => p.part.some((x: Json) => x.name === 'keyId' && x.valueString === keyId)).part;
    const der = Buffer.from(signature.data, 'base64');
    expect(smCryptoVerifies(key.find((p: Json) => p.name === 'publicKey').valueString, labBytes, der)).toBe(true);
    if (opensslHasSm2) expect(opensslVerifies(key.find((p: Json) => p.name === 'publicKeyPem').valueString, labBytes, der)).toBe(true);
    const verdict = await call(server.base, 'GET', `Provenance/${provenanceId}/$verify-signature`, undefined, backendClient.headers);
    expect(param(verdict, 'result').valueCode).toBe('valid');

    // The same document again adds no second seal.
    const again = await call(server.base, 'POST', '$cda-import', labBytes, { ...backendClient.headers, 'content-type': 'application/hl7-cda+xml' });
    expect(again.status).toBe(200);
    expect((again.body.entry as Json[]).some((e) => (e.response.location as string).startsWith('Provenance/'))).toBe(false);

    // The stored original changed behind Qiao's back: the seal no longer verifies.
    const forged = Buffer.from(labBytes.toString('utf8').replace('LAB-2024-000123', 'LAB-2024-999999')).toString('base64');
    await server.ctx.db.query("UPDATE resource SET content = (content::jsonb || jsonb_build_object('data', $1::text))::text WHERE resource_type = 'Binary' AND id = $2", [forged, binaryRef.split('/')[1]]);
    const broken = await call(server.base, 'GET', `Provenance/${provenanceId}/$verify-signature`, undefined, backendClient.headers);
    expect(param(broken, 'result').valueCode).toBe('invalid');
  });
});
