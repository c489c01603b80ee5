type Json = Record<string, unknown>;

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const CDA_LOG_SUBTYPE = 'https://qiao.health/fhir/CodeSystem/cda-transmission';

/**
 * The transmission log (传输日志) entry of a CDA import or generation: an AuditEvent, searchable
 * like any resource (`AuditEvent?subtype=…|cda-import&entity=…`). Who: the requesting system as
 * far as the server knows it (there is no authentication yet: the client address the HTTP layer
 * does not pass on is not recorded). Only what succeeded is logged: a rejected import stores
 * nothing, its log entry included.
 */
export function transmissionLog(action: 'cda-import' | 'cda-generate', what: string[], documentCode: string): Json {
  return {
    resourceType: 'AuditEvent',
    type: { system: DCM, code: action === 'cda-import' ? '110107' : '110106', display: action === 'cda-import' ? 'Import' : 'Export' },
    subtype: [{ system: CDA_LOG_SUBTYPE, code: action, display: action === 'cda-import' ? '共享文档导入' : '共享文档生成' }],
    action: action === 'cda-import' ? 'C' : 'R',
    recorded: new Date().toISOString(),
    outcome: '0',
    agent: [{ requestor: true, who: { display: 'FHIR client (unauthenticated)' } }],
    source: { observer: { display: 'Qiao' }, type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4' }] },
    entity: [
      ...what.map((ref) => ({ what: { reference: ref } })),
      { what: { display: documentCode }, type: { system: 'urn:oid:2.16.156.10011.2.4', code: documentCode } },
    ],
  };
}
