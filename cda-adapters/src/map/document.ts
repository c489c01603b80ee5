import { createHash, randomUUID } from 'node:crypto';
import { readBody, type Section } from '../model/body.js';
import { readHeader, type Header } from '../model/header.js';
import { documentType } from '../tables/document-types.js';
import { fhirSystem, oidSystem } from '../tables/identifiers.js';
import { profileOf } from '../tables/sections.js';
import type { XElement } from '../xml/dom.js';
import { escapeText } from '../xml/write.js';
import { narrativeToXhtml } from '../xml/narrative.js';
import { Collector, identifierCriteria, type MappedEntry } from './collector.js';
import { entryToFhir, ruleFor } from './entries.js';
import { DOCUMENT_TYPE_SYSTEM, ENTRY_ID_SYSTEM, EXT } from './fhir-urls.js';
import { headerToFhir, type HeaderRefs } from './header-fhir.js';
import { tsToFhir } from './values.js';

type Json = Record<string, unknown>;

export interface MappedDocument {
  header: Header;
  sections: Section[];
  /** `root^extension` of the document id: what makes a re-import the same document. */
  key: string;
  entries: MappedEntry[];
  composition: string;
  patient: string;
  encounter?: string;
  refs: HeaderRefs;
}

const NO_CONTENT = '无内容 (no content)';
const EMPTY_REASON = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/list-empty-reason', code: 'unavailable', display: 'Unavailable' }] };


/** The document as FHIR resources: header resources, one per entry, a Composition (and a DiagnosticReport for reports). */
export function cdaToFhir(root: XElement): MappedDocument {
  const header = readHeader(root);
  const sections = readBody(root);
  const key = `${header.id?.root ?? ''}^${header.id?.extension ?? ''}`;
  const c = new Collector();
  const refs = headerToFhir(header, c, key);
  let n = 0;
  const results: string[] = [];
  const section = (s: Section): Json => {
    const entryRefs = s.entries.map((e) => {
      const rule = ruleFor(e);
      const value = `${key}#${++n}`;
      const resource = entryToFhir(e, refs, { system: ENTRY_ID_SYSTEM, value }, rule);
      const ref = c.add(resource, identifierCriteria(ENTRY_ID_SYSTEM, value));
      if (rule?.reportResult) results.push(ref);
      return { reference: ref };
    });
    const code = s.code?.code ? { coding: [{ system: fhirSystem(s.code.codeSystem), code: s.code.code, ...(s.code.displayName ? { display: s.code.displayName } : {}) }] } : s.code?.displayName ? { text: s.code.displayName } : undefined;
    // CDA allows a section with a title only; FHIR wants text, entries or sub-sections (cmp-1).
    const empty = !s.text && entryRefs.length === 0 && s.sections.length === 0;
    const text = s.text ?? (empty ? (s.title ?? s.code?.displayName ?? NO_CONTENT) : undefined);
    return {
      ...(s.title ? { title: s.title } : {}),
      ...(code ? { code } : {}),
      ...(text ? { text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${s.narrative ? narrativeToXhtml(s.narrative) : escapeText(text)}</div>` } } : {}),
      ...(empty ? { emptyReason: EMPTY_REASON } : {}),
      ...(entryRefs.length ? { entry: entryRefs } : {}),
      ...(s.sections.length ? { section: s.sections.map(section) } : {}),
    };
  };
  const fhirSections = sections.map(section);
  const type = documentType(header.code?.code);
  const typeConcept = { coding: [{ system: DOCUMENT_TYPE_SYSTEM, code: header.code?.code ?? '', display: type?.title ?? header.title ?? '' }] };
  const extension: Json[] = [];
  if (header.setId) extension.push({ url: EXT.setId, valueIdentifier: { system: oidSystem(header.setId.root), value: header.setId.extension } });
  if (header.versionNumber && /^\d+$/.test(header.versionNumber)) extension.push({ url: EXT.versionNumber, valueInteger: Number(header.versionNumber) });
  const attester = [
    ...(refs.legal ? [{ mode: 'legal', ...(header.legalAuthenticator?.time ? { time: tsToFhir(header.legalAuthenticator.time) } : {}), party: { reference: refs.legal } }] : []),
    ...refs.authenticators.map((a, i) => ({ mode: 'professional', ...(header.authenticators[i]?.time ? { time: tsToFhir(header.authenticators[i]?.time as string) } : {}), party: { reference: a } })),
  ];
  const composition = c.add(
    {
      resourceType: 'Composition',
      ...(extension.length ? { extension } : {}),
      identifier: { system: oidSystem(header.id?.root ?? ''), value: header.id?.extension },
      status: 'final',
      type: typeConcept,
      subject: { reference: refs.patient },
      ...(refs.encounter ? { encounter: { reference: refs.encounter } } : {}),
      date: tsToFhir(header.effectiveTime ?? ''),
      author: refs.authors.map((a) => ({ reference: a })),
      title: header.title ?? type?.title ?? '',
      ...(header.confidentiality?.code ? { confidentiality: header.confidentiality.code } : {}),
      ...(attester.length ? { attester } : {}),
      ...(refs.custodian ? { custodian: { reference: refs.custodian } } : {}),
      ...(header.replaces ? { relatesTo: [{ code: 'replaces', targetIdentifier: { system: oidSystem(header.replaces.root), value: header.replaces.extension } }] } : {}),
      section: fhirSections,
    },
    identifierCriteria(oidSystem(header.id?.root ?? ''), header.id?.extension ?? ''),
  );
  const report = profileOf(header.code?.code)?.report;
  if (report) {
    c.add(
      {
        resourceType: 'DiagnosticReport',
        identifier: [{ system: ENTRY_ID_SYSTEM, value: `${key}#report` }],
        status: 'final',
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: report }] }],
        code: typeConcept,
        subject: { reference: refs.patient },
        ...(refs.encounter ? { encounter: { reference: refs.encounter } } : {}),
        ...(header.effectiveTime ? { issued: toInstant(tsToFhir(header.effectiveTime)) } : {}),
        ...(refs.authors.length ? { performer: refs.authors.map((a) => ({ reference: a })) } : {}),
        result: results.map((r) => ({ reference: r })),
        presentedForm: [{ contentType: 'application/hl7-cda+xml', title: header.title ?? '' }],
      },
      identifierCriteria(ENTRY_ID_SYSTEM, `${key}#report`),
    );
  }
  return { header, sections, key, entries: c.entries, composition, patient: refs.patient, ...(refs.encounter ? { encounter: refs.encounter } : {}), refs };
}

/** An instant needs seconds and a zone; a date-only effectiveTime becomes midnight China time. */
function toInstant(dateTime: string): string {
  return /T/.test(dateTime) ? dateTime : `${dateTime.length === 10 ? dateTime : `${dateTime}-01-01`.slice(0, 10)}T00:00:00+08:00`;
}

export function sm3Hex(bytes: Uint8Array): string {
  return createHash('sm3').update(bytes).digest('hex');
}

/**
 * The transaction that stores a mapped document: every resource created only if absent (so a
 * re-import of the same document id creates nothing new), the original bytes as a Binary, and a
 * DocumentReference registering it. The Binary's id is the SM3 hash of the bytes: a transaction
 * assigns its own ids to creates, so a fixed id can only be written by PUT, and a PUT under an id
 * that the bytes decide can only ever rewrite the same bytes. Two first imports of one document id
 * with other bytes racing past the server's 409 check then keep two Binaries, and the
 * DocumentReference (a conditional create, locked) still points at the first.
 */
export function toTransaction(doc: MappedDocument, bytes: Uint8Array): Json {
  const h = doc.header;
  const hash = sm3Hex(bytes);
  const binaryId = `cda-${hash.slice(0, 48)}`;
  const type = documentType(h.code?.code);
  const docIdentifier = { system: oidSystem(h.id?.root ?? ''), value: h.id?.extension };
  const documentReference: Json = {
    resourceType: 'DocumentReference',
    extension: [{ url: EXT.sm3, valueString: hash }],
    masterIdentifier: docIdentifier,
    identifier: [docIdentifier],
    status: 'current',
    docStatus: 'final',
    type: { coding: [{ system: DOCUMENT_TYPE_SYSTEM, code: h.code?.code ?? '', display: type?.title ?? h.title ?? '' }] },
    category: [{ coding: [{ system: 'https://qiao.health/fhir/CodeSystem/cda-standard', code: type?.standard ?? 'unknown' }] }],
    subject: { reference: doc.patient },
    ...(h.effectiveTime ? { date: toInstant(tsToFhir(h.effectiveTime)) } : {}),
    ...(doc.refs.authors.length ? { author: doc.refs.authors.map((a) => ({ reference: a })) } : {}),
    ...(doc.refs.legal ? { authenticator: { reference: doc.refs.legal } } : {}),
    ...(doc.refs.custodian ? { custodian: { reference: doc.refs.custodian } } : {}),
    ...(h.replaces ? { relatesTo: [{ code: 'replaces', target: { identifier: { system: oidSystem(h.replaces.root), value: h.replaces.extension } } }] } : {}),
    description: h.title ?? type?.title ?? '',
    content: [{ attachment: { contentType: 'application/hl7-cda+xml', url: `Binary/${binaryId}`, size: bytes.length, title: h.title ?? '' }, format: { system: 'urn:oid:2.16.156.10011.2.4', code: h.code?.code ?? '' } }],
    context: {
      ...(doc.encounter ? { encounter: [{ reference: doc.encounter }] } : {}),
      related: [{ reference: doc.composition }],
    },
  };
  const entry = (e: MappedEntry) => ({
    fullUrl: e.fullUrl,
    resource: e.resource,
    request: { method: 'POST', url: String(e.resource.resourceType), ...(e.ifNoneExist ? { ifNoneExist: e.ifNoneExist } : {}) },
  });
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      ...doc.entries.map(entry),
      { resource: { resourceType: 'Binary', id: binaryId, contentType: 'application/hl7-cda+xml', data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') }, request: { method: 'PUT', url: `Binary/${binaryId}` } },
      entry({ fullUrl: `urn:uuid:${randomUUID()}`, resource: documentReference, ifNoneExist: identifierCriteria(docIdentifier.system, docIdentifier.value ?? '') }),
    ],
  };
}
