import type { CompactProfile } from './compact.js';
import { mustSupport } from './compact.js';

/** The WS/T 500 shared-document header: document id, type, patient, author, custodian, date. */
export const DOCUMENTS: readonly CompactProfile[] = [
  {
    id: 'cn-document-reference',
    type: 'DocumentReference',
    name: 'CNDocumentReference',
    title: '中国共享文档索引 | CN Document reference',
    description: 'WS/T 500 共享文档的索引：文档标识、类型、患者、作者、保管机构 | Index of a WS/T 500 shared document',
    elements: [
      { id: 'DocumentReference.masterIdentifier', mustSupport: true, short: '文档标识 | Document id' },
      { id: 'DocumentReference.type', min: 1, mustSupport: true },
      { id: 'DocumentReference.subject', min: 1, mustSupport: true },
      ...mustSupport('DocumentReference.date', 'DocumentReference.author', 'DocumentReference.custodian', 'DocumentReference.context', 'DocumentReference.content.attachment.contentType'),
    ],
  },
  {
    id: 'cn-composition',
    type: 'Composition',
    name: 'CNComposition',
    title: '中国共享文档 | CN Composition',
    description: 'WS/T 500 共享文档头：文档标识、类型、患者、作者、保管机构、审签 | WS/T 500 shared-document header',
    elements: [
      { id: 'Composition.identifier', min: 1, mustSupport: true, short: '文档流水号 | Document id' },
      { id: 'Composition.subject', min: 1, mustSupport: true },
      ...mustSupport('Composition.custodian', 'Composition.attester', 'Composition.encounter', 'Composition.section'),
    ],
  },
  {
    id: 'cn-consent',
    type: 'Consent',
    name: 'CNConsent',
    title: '中国知情同意 | CN Consent',
    description: '知情同意与数据共享授权 | Informed consent and data-sharing authorisation',
    elements: [
      { id: 'Consent.patient', min: 1, mustSupport: true },
      ...mustSupport('Consent.dateTime', 'Consent.performer', 'Consent.organization', 'Consent.source[x]', 'Consent.provision'),
    ],
  },
  {
    id: 'cn-provenance',
    type: 'Provenance',
    name: 'CNProvenance',
    title: '中国数据来源 | CN Provenance',
    description: '数据来源、签名与采集机构 | Origin, signature and collecting institution',
    elements: [...mustSupport('Provenance.agent.who', 'Provenance.entity', 'Provenance.signature', 'Provenance.activity')],
  },
];
