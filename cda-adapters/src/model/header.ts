import { at, attr, child, elements, textOf, type XElement } from '../xml/dom.js';
import { el } from '../xml/write.js';
import { readCode, readConcept, readPeriod, valueElement, type CdaValue } from '../map/values.js';
import { OID } from '../tables/identifiers.js';

/**
 * The CDA R2 header of a shared document as plain data: read from XML, written back to XML, and
 * mapped to and from FHIR by map/header.ts. One model for every document type.
 */
export interface Id {
  root: string;
  extension?: string;
}
export type Code = Extract<CdaValue, { type: 'CD' }>;

export interface Address {
  state?: string;
  city?: string;
  county?: string;
  houseNumber?: string;
  postalCode?: string;
}

export interface Org {
  ids: Id[];
  name?: string;
  telecom?: string;
}

export interface Person {
  ids: Id[];
  name?: string;
  time?: string;
  role?: Code;
  org?: Org;
}

export interface PatientModel {
  roleIds: Id[];
  ids: Id[];
  name?: string;
  gender?: Code;
  birthTime?: string;
  marital?: Code;
  ethnic?: Code;
  age?: { value: number; unit?: string };
  addr?: Address;
  telecom?: string;
}

/** A contact person of the patient (participant typeCode NOT, 联系人). */
export interface Contact {
  name?: string;
  telecom?: string;
  relationship?: Code;
}

export interface EncounterModel {
  /** encompassingEncounter/code: in WS/T 500 inpatient documents the 入院途径 (value set 2.16.156.10011.2.3.1.270). */
  code?: Code;
  low?: string;
  high?: string;
  /** The location chain, innermost (bed) first. */
  locations: Org[];
}

export interface Header {
  id?: Id;
  code?: Code;
  templateIds: string[];
  title?: string;
  effectiveTime?: string;
  confidentiality?: Code;
  setId?: Id;
  versionNumber?: string;
  patient: PatientModel;
  authors: Person[];
  custodian?: Org;
  legalAuthenticator?: Person;
  authenticators: Person[];
  contacts: Contact[];
  encounter?: EncounterModel;
  replaces?: Id;
}

function ids(e: XElement | undefined): Id[] {
  return elements(e, 'id')
    .map((i) => ({ root: attr(i, 'root') ?? '', ...(attr(i, 'extension') ? { extension: attr(i, 'extension') as string } : {}) }))
    .filter((i) => i.root !== '');
}

function idOf(e: XElement | undefined): Id | undefined {
  const root = attr(e, 'root');
  return root ? { root, ...optS('extension', attr(e, 'extension')) } : undefined;
}

function code(e: XElement | undefined): Code | undefined {
  return readCode(e) as Code | undefined;
}

function org(e: XElement | undefined): Org | undefined {
  if (!e) return undefined;
  return { ids: ids(e), ...optS('name', textOf(child(e, 'name'))), ...optS('telecom', attr(child(e, 'telecom'), 'value')) };
}

function person(e: XElement | undefined, entity: string): Person | undefined {
  if (!e) return undefined;
  const role = child(e, entity);
  return {
    ids: ids(role),
    ...optS('name', textOf(at(role, 'assignedPerson/name'))),
    ...optS('time', attr(child(e, 'time'), 'value')),
    // A role named by displayName only (检验报告审核医师) is still the role the person acts in.
    ...(readConcept(child(role, 'code')) ? { role: readConcept(child(role, 'code')) as Code } : {}),
    ...(child(role, 'representedOrganization') ? { org: org(child(role, 'representedOrganization')) as Org } : {}),
  };
}

function optS<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value ? ({ [key]: value } as Record<K, string>) : {};
}

const ADDRESS_PARTS = ['state', 'city', 'county', 'houseNumber', 'postalCode'] as const;

export function readHeader(root: XElement): Header {
  const role = at(root, 'recordTarget/patientRole');
  const patient = child(role, 'patient');
  const addrEl = child(role, 'addr');
  const addr: Address = {};
  for (const part of ADDRESS_PARTS) {
    const v = textOf(child(addrEl, part));
    if (v) addr[part] = v;
  }
  const ageEl = child(patient, 'age');
  const age = ageEl && Number.isFinite(Number(attr(ageEl, 'value'))) ? { value: Number(attr(ageEl, 'value')), ...optS('unit', attr(ageEl, 'unit')) } : undefined;
  const encounterEl = at(root, 'componentOf/encompassingEncounter');
  const locations: Org[] = [];
  for (let o = at(encounterEl, 'location/healthCareFacility/serviceProviderOrganization'); o; ) {
    const part = at(o, 'asOrganizationPartOf/wholeOrganization');
    if (!part) break;
    locations.push(org(part) as Org);
    o = part;
  }
  const period = child(encounterEl, 'effectiveTime');
  const range = period ? readPeriod(period) : undefined;
  const replaces = elements(root, 'relatedDocument').find((r) => attr(r, 'typeCode') === 'RPLC');
  return {
    ...(ids(root)[0] ? { id: ids(root)[0] as Id } : {}),
    ...(code(child(root, 'code')) ? { code: code(child(root, 'code')) as Code } : {}),
    templateIds: elements(root, 'templateId').map((t) => attr(t, 'root') ?? ''),
    ...optS('title', textOf(child(root, 'title'))),
    ...optS('effectiveTime', attr(child(root, 'effectiveTime'), 'value')),
    ...(code(child(root, 'confidentialityCode')) ? { confidentiality: code(child(root, 'confidentialityCode')) as Code } : {}),
    ...(idOf(child(root, 'setId')) ? { setId: idOf(child(root, 'setId')) as Id } : {}),
    ...optS('versionNumber', attr(child(root, 'versionNumber'), 'value')),
    patient: {
      roleIds: ids(role),
      ids: ids(patient),
      ...optS('name', textOf(child(patient, 'name'))),
      ...(code(child(patient, 'administrativeGenderCode')) ? { gender: code(child(patient, 'administrativeGenderCode')) as Code } : {}),
      ...optS('birthTime', attr(child(patient, 'birthTime'), 'value')),
      ...(code(child(patient, 'maritalStatusCode')) ? { marital: code(child(patient, 'maritalStatusCode')) as Code } : {}),
      ...(code(child(patient, 'ethnicGroupCode')) ? { ethnic: code(child(patient, 'ethnicGroupCode')) as Code } : {}),
      ...(age ? { age } : {}),
      ...(Object.keys(addr).length ? { addr } : {}),
      ...optS('telecom', attr(child(role, 'telecom'), 'value')),
    },
    authors: elements(root, 'author').map((a) => person(a, 'assignedAuthor') as Person),
    ...(org(at(root, 'custodian/assignedCustodian/representedCustodianOrganization')) ? { custodian: org(at(root, 'custodian/assignedCustodian/representedCustodianOrganization')) as Org } : {}),
    ...(child(root, 'legalAuthenticator') ? { legalAuthenticator: person(child(root, 'legalAuthenticator'), 'assignedEntity') as Person } : {}),
    authenticators: elements(root, 'authenticator').map((a) => person(a, 'assignedEntity') as Person),
    contacts: elements(root, 'participant')
      .filter((p) => attr(p, 'typeCode') === 'NOT')
      .map((p) => child(p, 'associatedEntity'))
      .map((e) => ({
        ...optS('name', textOf(at(e, 'associatedPerson/name'))),
        ...optS('telecom', attr(child(e, 'telecom'), 'value')),
        ...(code(child(e, 'code')) ? { relationship: code(child(e, 'code')) as Code } : {}),
      })),
    ...(encounterEl
      ? {
          encounter: {
            ...(code(child(encounterEl, 'code')) ? { code: code(child(encounterEl, 'code')) as Code } : {}),
            ...(range?.type === 'IVL_TS' ? { ...optS('low', range.low), ...optS('high', range.high) } : range?.type === 'TS' ? { low: range.value } : {}),
            locations,
          },
        }
      : {}),
    ...(replaces && ids(child(replaces, 'parentDocument'))[0] ? { replaces: ids(child(replaces, 'parentDocument'))[0] as Id } : {}),
  };
}

const idEl = (i: Id, name = 'id') => el(name, { root: i.root, extension: i.extension });
const codeEl = (name: string, c: Code | undefined) => (c ? valueElement(name, c, false) : undefined);

function orgEl(name: string, o: Org, extra: ReturnType<typeof el>[] = []) {
  return el(name, {}, [...o.ids.map((i) => idEl(i)), o.name ? el('name', {}, [o.name]) : undefined, o.telecom ? el('telecom', { value: o.telecom }) : undefined, ...extra]);
}

function personEl(name: string, entity: string, p: Person, extra: ReturnType<typeof el>[] = []) {
  return el(name, {}, [
    p.time ? el('time', { value: p.time }) : undefined,
    ...extra,
    el(entity, {}, [
      ...(p.ids.length ? p.ids : [{ root: '2.16.156.10011.1.4' }]).map((i) => idEl(i)),
      codeEl('code', p.role),
      el('assignedPerson', {}, [el('name', {}, [p.name ?? ''])]),
      p.org ? orgEl('representedOrganization', p.org) : undefined,
    ]),
  ]);
}

/** The header elements in CDA R2 schema order; `body` is appended after them. */
export function writeHeader(h: Header, body: ReturnType<typeof el>): ReturnType<typeof el> {
  const p = h.patient;
  const addr = p.addr;
  // Location chain: outermost (hospital) is the deepest wholeOrganization, as in the standard.
  let chain: ReturnType<typeof el> | undefined;
  for (const o of [...(h.encounter?.locations ?? [])].reverse()) {
    chain = orgEl('wholeOrganization', o, chain ? [el('asOrganizationPartOf', {}, [chain])] : []);
  }
  return el(
    'ClinicalDocument',
    { xmlns: 'urn:hl7-org:v3', 'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance' },
    [
      el('realmCode', { code: 'CN' }),
      el('typeId', { root: '2.16.840.1.113883.1.3', extension: 'POCD_MT000040' }),
      ...h.templateIds.map((t) => el('templateId', { root: t })),
      h.id ? idEl(h.id) : undefined,
      codeEl('code', h.code),
      el('title', {}, [h.title ?? '']),
      el('effectiveTime', { value: h.effectiveTime }),
      codeEl('confidentialityCode', h.confidentiality ?? { type: 'CD', code: 'N', codeSystem: OID.confidentiality, displayName: '正常访问保密级别' }),
      el('languageCode', { code: 'zh-CN' }),
      h.setId ? idEl(h.setId, 'setId') : undefined,
      h.versionNumber ? el('versionNumber', { value: h.versionNumber }) : undefined,
      el('recordTarget', { typeCode: 'RCT', contextControlCode: 'OP' }, [
        el('patientRole', { classCode: 'PAT' }, [
          // CDA R2 gives patientRole at least one id: a patient with no record number here says so (NI).
          ...(p.roleIds.length ? p.roleIds.map((i) => idEl(i)) : [el('id', { nullFlavor: 'NI' })]),
          addr ? el('addr', { use: 'H' }, ADDRESS_PARTS.map((k) => (addr[k] ? el(k, {}, [addr[k] as string]) : undefined))) : undefined,
          p.telecom ? el('telecom', { value: p.telecom }) : undefined,
          el('patient', { classCode: 'PSN', determinerCode: 'INSTANCE' }, [
            ...p.ids.map((i) => idEl(i)),
            el('name', {}, [p.name ?? '']),
            codeEl('administrativeGenderCode', p.gender),
            p.birthTime ? el('birthTime', { value: p.birthTime }) : undefined,
            codeEl('maritalStatusCode', p.marital),
            codeEl('ethnicGroupCode', p.ethnic),
            p.age ? el('age', { value: String(p.age.value), unit: p.age.unit }) : undefined,
          ]),
        ]),
      ]),
      ...h.authors.map((a) => personEl('author', 'assignedAuthor', a)),
      h.custodian ? el('custodian', { typeCode: 'CST' }, [el('assignedCustodian', {}, [orgEl('representedCustodianOrganization', h.custodian)])]) : undefined,
      h.legalAuthenticator ? personEl('legalAuthenticator', 'assignedEntity', h.legalAuthenticator, [el('signatureCode', { code: 'S' })]) : undefined,
      ...h.authenticators.map((a) => personEl('authenticator', 'assignedEntity', a, [el('signatureCode', { code: 'S' })])),
      ...h.contacts.map((c) =>
        el('participant', { typeCode: 'NOT' }, [
          el('associatedEntity', { classCode: 'ECON' }, [
            codeEl('code', c.relationship),
            c.telecom ? el('telecom', { value: c.telecom }) : undefined,
            el('associatedPerson', {}, [el('name', {}, [c.name ?? ''])]),
          ]),
        ]),
      ),
      h.replaces ? el('relatedDocument', { typeCode: 'RPLC' }, [el('parentDocument', {}, [idEl(h.replaces)])]) : undefined,
      h.encounter
        ? el('componentOf', {}, [
            el('encompassingEncounter', {}, [
              codeEl('code', h.encounter.code),
              el('effectiveTime', {}, [h.encounter.low ? el('low', { value: h.encounter.low }) : undefined, h.encounter.high ? el('high', { value: h.encounter.high }) : undefined]),
              chain ? el('location', {}, [el('healthCareFacility', {}, [el('serviceProviderOrganization', {}, [el('asOrganizationPartOf', {}, [chain])])])]) : undefined,
            ]),
          ])
        : undefined,
      body,
    ],
  );
}
