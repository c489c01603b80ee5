import { noteForAudit } from '../../audit/scope.js';

const CDA_LOG_SUBTYPE = 'https://qiao.health/fhir/CodeSystem/cda-transmission';

/**
 * The transmission log (传输日志) of a CDA import or generation: the request's audit record
 * carries the cda-transmission subtype and the document type, so the log is searchable like any
 * audit record (`AuditEvent?subtype=…|cda-import&entity=…`). An import's record is written in
 * the import's transaction (with every resource it stored as an entity); a rejected import
 * stores nothing and is audited as a failure.
 */
export function noteTransmission(action: 'cda-import' | 'cda-generate', documentCode: string, what: readonly string[] = []): void {
  noteForAudit({
    subtype: [{ system: CDA_LOG_SUBTYPE, code: action, display: action === 'cda-import' ? '共享文档导入' : '共享文档生成' }],
    data: [
      ...what.map((reference) => ({ reference })),
      { display: documentCode, type: { system: 'urn:oid:2.16.156.10011.2.4', code: documentCode }, role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '3', display: 'Report' } },
    ],
  });
}
