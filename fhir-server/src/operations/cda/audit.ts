import type { AuditData } from '../../audit/event.js';
import { noteForAudit } from '../../audit/scope.js';

const CDA_LOG_SUBTYPE = 'https://qiao.health/fhir/CodeSystem/cda-transmission';

/** What a transmission-log entry learns as the operation goes on; added before its record is written. */
export interface Transmission {
  about(documentCode: string | undefined, what?: readonly string[]): void;
}

/**
 * The transmission log (传输日志) of a CDA import or generation: the request's audit record
 * carries the cda-transmission subtype and the document type, so the log is searchable like any
 * audit record (`AuditEvent?subtype=…|cda-import&entity=…`) and its outcome is the record's.
 * Noted when the operation starts, so every attempt is logged, refused ones included: an
 * import's record is written in the import's transaction (with every resource it stored as an
 * entity); an attempt refused before it is the request's own failure record.
 */
export function noteTransmission(action: 'cda-import' | 'cda-generate', what: readonly string[] = []): Transmission {
  const data: AuditData[] = [];
  noteForAudit({ subtype: [{ system: CDA_LOG_SUBTYPE, code: action, display: action === 'cda-import' ? '共享文档导入' : '共享文档生成' }], data });
  const transmission: Transmission = {
    about(code, references = []) {
      data.push(...references.map((reference) => ({ reference })));
      if (code) data.push({ display: code, type: { system: 'urn:oid:2.16.156.10011.2.4', code }, role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '3', display: 'Report' } });
    },
  };
  transmission.about(undefined, what);
  return transmission;
}
