/**
 * What a report signature costs in CPU, without the database: canonical form + SM2 signing (the
 * write rule's work) and SM2 verification (a read's, when the result is not cached).
 *
 *     node fhir-server/dist/signatures/bench.js [reports=200]
 */
import type { DiagnosticReport } from '@medplum/fhirtypes';
import { DEFAULT_SM2_USER_ID, generateSm2KeyPair, sm2Sign, sm2Verify, sm3 } from '../crypto/index.js';
import { canonicalBytes } from './canonical.js';
import { sm2SignMessage, sm2VerifyMessage } from './digest.js';

function report(i: number): DiagnosticReport {
  return {
    resourceType: 'DiagnosticReport',
    id: `bench-${i}`,
    meta: { versionId: '1', lastUpdated: new Date().toISOString() },
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '18747-6', display: 'CT Study report' }] },
    subject: { reference: `Patient/p-${i}` },
    issued: '2026-12-06T10:00:00+08:00',
    presentedForm: [{ contentType: 'text/plain; charset=utf-8', data: Buffer.from('检查所见：'.repeat(200)).toString('base64') }],
    conclusion: `右肺上叶结节 ${i} 毫米，建议三个月后复查 | RUL nodule, follow up`,
  };
}

function perReport(label: string, n: number, work: (i: number) => void): void {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) work(i);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(`${label.padEnd(34)} ${(ms / n).toFixed(2).padStart(7)} ms/report  (${n} reports)`);
}

const n = Number(process.argv[2] ?? 200);
const key = generateSm2KeyPair();
const reports = Array.from({ length: n }, (_, i) => report(i));
const messages = reports.map(canonicalBytes);
console.log(`canonical form: ${messages[0]?.length ?? 0} bytes per report`);
const signatures: Buffer[] = [];
perReport('canonical form', n, (i) => canonicalBytes(reports[i] as DiagnosticReport));
perReport('SM2 sign (native SM3, as Qiao signs)', n, (i) => signatures.push(sm2SignMessage(messages[i] as Buffer, key, DEFAULT_SM2_USER_ID)));
perReport('SM2 verify (native SM3)', n, (i) => {
  if (!sm2VerifyMessage(messages[i] as Buffer, signatures[i] as Buffer, key.publicKey, DEFAULT_SM2_USER_ID)) throw new Error(`report ${i} does not verify`);
});
perReport('SM2 sign (library hashing)', n, (i) => sm2Sign(messages[i] as Buffer, key));
perReport('SM2 verify (library hashing)', n, (i) => {
  if (!sm2Verify(messages[i] as Buffer, signatures[i] as Buffer, key.publicKey)) throw new Error(`report ${i} does not verify`);
});
perReport('SM3 digest (cache key of a verify)', n, (i) => sm3(messages[i] as Buffer));
const document = Buffer.alloc(20 * 1024 * 1024, '<section>检查所见</section>');
const start = process.hrtime.bigint();
const sealed = sm2SignMessage(document, key, DEFAULT_SM2_USER_ID);
const verified = sm2VerifyMessage(document, sealed, key.publicKey, DEFAULT_SM2_USER_ID);
console.log(`20 MB document: sign + verify ${(Number(process.hrtime.bigint() - start) / 1e6).toFixed(0)} ms (${verified ? 'verified' : 'NOT verified'})`);
