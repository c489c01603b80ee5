import type { Address, Code, Contact, Header, Id, Org, PatientModel, Person } from '../model/header.js';
import { LOCATION_LEVELS, oidSystem, OID, PATIENT_ID_PRIORITY, systemOid, VISIT_ID_ROOTS } from '../tables/identifiers.js';
import { identifierCriteria, type Collector } from './collector.js';
import { ENTRY_ID_SYSTEM, EXT } from './fhir-urls.js';
import { codingOf, tsFromFhir, tsToFhir } from './values.js';

type Json = Record<string, unknown>;

/** An OID, the only form of code system a CDA code attribute can name. */
const OID_FORM = /^[0-2](\.(0|[1-9]\d*))+$/;

const GENDER: Record<string, string> = { '1': 'male', '2': 'female', '0': 'unknown', '9': 'unknown' };

export function identifier(i: Id): Json {
  return { system: oidSystem(i.root), ...(i.extension ? { value: i.extension } : {}) };
}

function criteria(i: Id | undefined): string | undefined {
  return i?.extension ? identifierCriteria(oidSystem(i.root), i.extension) : undefined;
}

/** `param.identifier=system|value`: a reference search on the referenced resource's identifier. */
function chained(param: string, i: Id): string {
  return `${param}.${identifierCriteria(oidSystem(i.root), i.extension ?? '')}`;
}

function chainedFrom(i: Id): string {
  return identifierCriteria(oidSystem(i.root), i.extension ?? '').slice('identifier='.length);
}

/** A CodeableConcept; a concept CDA names by displayName only is its text. */
function concept(c: Code | undefined): Json | undefined {
  if (!c) return undefined;
  return c.code ? { coding: [codingOf(c)] } : { text: c.displayName };
}

function address(a: Address | undefined): Json[] | undefined {
  if (!a) return undefined;
  return [{ ...(a.houseNumber ? { line: [a.houseNumber] } : {}), ...(a.county ? { district: a.county } : {}), ...(a.city ? { city: a.city } : {}), ...(a.state ? { state: a.state } : {}), ...(a.postalCode ? { postalCode: a.postalCode } : {}) }];
}

function telecom(value: string | undefined): Json[] | undefined {
  if (!value) return undefined;
  const m = /^(tel|mailto):(.*)$/.exec(value);
  return [{ system: m?.[1] === 'mailto' ? 'email' : 'phone', value: m ? m[2] : value }];
}

/**
 * The patient and how to find it: by each person-wide identifier (resident ID first), then by each
 * hospital identifier within the custodian organisation (visit numbers repeat across hospitals).
 * The first is the conditional create's criteria; the others find a patient stored under another
 * of its identifiers before a new one is made.
 */
function patientResource(p: PatientModel, contacts: Contact[], custodian: { ref: string; id: Id } | undefined): { resource: Json; criteria: string[]; match?: string } {
  const all = [...p.ids, ...p.roleIds].filter((i) => i.extension);
  const global = PATIENT_ID_PRIORITY.flatMap((root) => all.filter((i) => i.root === root));
  const local = all.filter((i) => !PATIENT_ID_PRIORITY.includes(i.root));
  const scoped = local.length && custodian?.id.extension ? custodian : undefined;
  const extension: Json[] = [];
  if (p.gender) extension.push({ url: EXT.genderGb, valueCoding: codingOf(p.gender) });
  if (p.ethnic) extension.push({ url: EXT.ethnicGroup, valueCoding: codingOf(p.ethnic) });
  if (p.age) extension.push({ url: EXT.age, valueQuantity: { value: p.age.value, ...(p.age.unit ? { unit: p.age.unit } : {}) } });
  const contact = contacts.map((c) => ({
    ...(c.relationship ? { relationship: [concept(c.relationship)] } : {}),
    ...(c.name ? { name: { text: c.name } } : {}),
    ...(c.telecom ? { telecom: telecom(c.telecom) } : {}),
  }));
  const resource: Json = {
    resourceType: 'Patient',
    ...(extension.length ? { extension } : {}),
    identifier: [...p.ids, ...p.roleIds].map(identifier),
    ...(p.name ? { name: [{ text: p.name }] } : {}),
    ...(p.telecom ? { telecom: telecom(p.telecom) } : {}),
    ...(p.gender && GENDER[p.gender.code] ? { gender: GENDER[p.gender.code] } : {}),
    ...(p.birthTime ? { birthDate: tsToFhir(p.birthTime.slice(0, 8)) } : {}),
    ...(p.addr ? { address: address(p.addr) } : {}),
    ...(p.marital ? { maritalStatus: concept(p.marital) } : {}),
    ...(contact.length ? { contact } : {}),
    ...(scoped ? { managingOrganization: { reference: scoped.ref } } : {}),
  };
  const criteriaList = [
    ...global.map((i) => criteria(i) as string),
    ...(scoped ? local.map((i) => `${criteria(i) as string}&${chained('organization', scoped.id)}`) : []),
  ];
  const match = global[0] ? chainedFrom(global[0]) : undefined;
  return { resource, criteria: criteriaList, ...(match ? { match } : {}) };
}

/**
 * The identifier of a place or department within what contains it: its path of `root^extension`
 * from the outermost level down. Bed, room, ward and department numbers are only unique within
 * their parent (room 888 of two wards), so each is matched by its path, not its own number.
 */
function placeIdentifier(path: string): Json {
  return { system: ENTRY_ID_SYSTEM, value: `place:${path}` };
}

/**
 * `within`: the path of a department inside the hospital (or department) containing it; a
 * `nested` one without a path is not matched at all rather than by its own number.
 */
function organization(o: Org, c: Collector, partOf?: string, within?: string, nested = false): string {
  const place = within ? placeIdentifier(within) : undefined;
  const resource: Json = {
    resourceType: 'Organization',
    identifier: [...o.ids.map(identifier), ...(place ? [place] : [])],
    ...(o.name ? { name: o.name } : {}),
    ...(o.telecom ? { telecom: telecom(o.telecom) } : {}),
    ...(partOf ? { partOf: { reference: partOf } } : {}),
  };
  return c.add(resource, place ? identifierCriteria(ENTRY_ID_SYSTEM, place.value as string) : nested ? undefined : criteria(o.ids[0]));
}

/**
 * A document's author or signer as the PractitionerRole it acts in (the doctor, the role's code
 * and the represented organisation), so the header keeps all three.
 */
function practitioner(p: Person, c: Collector): string {
  const practitionerUrl = c.add(
    { resourceType: 'Practitioner', identifier: p.ids.map(identifier), ...(p.name ? { name: [{ text: p.name }] } : {}) },
    criteria(p.ids[0]),
  );
  const orgUrl = p.org ? organization(p.org, c) : undefined;
  const roleKey = `${p.ids[0]?.extension ?? p.name ?? ''}|${p.org?.ids[0]?.extension ?? ''}|${p.role?.code || p.role?.displayName || ''}`;
  const role = c.add(
    {
      resourceType: 'PractitionerRole',
      identifier: [{ system: ENTRY_ID_SYSTEM, value: `role:${roleKey}` }],
      practitioner: { reference: practitionerUrl },
      ...(orgUrl ? { organization: { reference: orgUrl } } : {}),
      ...(p.role ? { code: [concept(p.role)] } : {}),
    },
    identifierCriteria(ENTRY_ID_SYSTEM, `role:${roleKey}`),
  );
  return role;
}

/**
 * encompassingEncounter/code on the Encounter: a 入院途径 says how the patient came to be
 * admitted (hospitalization.admitSource); any other code says what kind of visit it is (type).
 */
function encounterCode(code: Code | undefined): Json {
  if (!code) return {};
  return code.codeSystem === OID.admissionRoute ? { hospitalization: { admitSource: concept(code) } } : { type: [concept(code)] };
}

export interface HeaderRefs {
  patient: string;
  encounter?: string;
  authors: string[];
  custodian?: string;
  legal?: string;
  authenticators: string[];
}

/**
 * The header's people, places and visit as FHIR resources, each created only if no resource with
 * its identifier exists (patients by resident ID first, then record and visit numbers).
 */
export function headerToFhir(h: Header, c: Collector, documentKey: string): HeaderRefs {
  const custodian = h.custodian ? organization(h.custodian, c) : undefined;
  const custodianId = h.custodian?.ids[0];
  const p = patientResource(h.patient, h.contacts, custodian && custodianId ? { ref: custodian, id: custodianId } : undefined);
  const [first, ...others] = p.criteria;
  const patient = c.add(p.resource, first, others);
  const authors = h.authors.map((a) => practitioner(a, c));
  const legal = h.legalAuthenticator ? practitioner(h.legalAuthenticator, c) : undefined;
  const authenticators = h.authenticators.map((a) => practitioner(a, c));
  let encounter: string | undefined;
  if (h.encounter) {
    // Outermost first, so each level can point at the one containing it.
    let parentLocation: string | undefined;
    let parentOrg: string | undefined;
    // The path so far; undefined below a level without a number: what it contains is only matched with a path.
    let parentPath: string | undefined;
    const locationRefs: string[] = [];
    const levels = [...h.encounter.locations].reverse();
    levels.forEach((level, depth) => {
      const kind = LOCATION_LEVELS[level.ids[0]?.root ?? ''] ?? { type: 'Location' as const, zh: '' };
      const own: string | undefined = level.ids[0]?.extension ? `${level.ids[0].root}^${level.ids[0].extension}` : undefined;
      const path: string | undefined = depth === 0 ? own : parentPath !== undefined && own ? `${parentPath}/${own}` : undefined;
      const within = depth > 0 ? path : undefined;
      parentPath = path;
      if (kind.type === 'Organization') {
        parentOrg = organization(level, c, parentOrg, within, depth > 0);
        return;
      }
      const place = within ? placeIdentifier(within) : undefined;
      const ref = c.add(
        {
          resourceType: 'Location',
          identifier: [...level.ids.map(identifier), ...(place ? [place] : [])],
          ...(level.name ? { name: level.name } : {}),
          ...(kind.physicalType ? { physicalType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/location-physical-type', code: kind.physicalType }] } } : {}),
          ...(parentLocation ? { partOf: { reference: parentLocation } } : {}),
          ...(parentOrg ? { managingOrganization: { reference: parentOrg } } : {}),
        },
        place ? identifierCriteria(ENTRY_ID_SYSTEM, place.value as string) : depth === 0 ? criteria(level.ids[0]) : undefined,
      );
      parentLocation = ref;
      locationRefs.unshift(ref);
    });
    const visitIds = h.patient.roleIds.filter((i) => VISIT_ID_ROOTS[i.root] && i.extension);
    const cls = visitIds.map((i) => VISIT_ID_ROOTS[i.root]).find((x) => x) ?? 'AMB';
    const ownId = { system: ENTRY_ID_SYSTEM, value: `${documentKey}#encounter` };
    encounter = c.add(
      {
        resourceType: 'Encounter',
        identifier: visitIds[0] && p.match ? visitIds.map(identifier) : [...visitIds.map(identifier), ownId],
        status: h.encounter.high ? 'finished' : 'in-progress',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: cls },
        ...encounterCode(h.encounter.code),
        subject: { reference: patient },
        ...(h.encounter.low || h.encounter.high
          ? { period: { ...(h.encounter.low ? { start: tsToFhir(h.encounter.low) } : {}), ...(h.encounter.high ? { end: tsToFhir(h.encounter.high) } : {}) } }
          : {}),
        ...(locationRefs.length ? { location: locationRefs.map((l) => ({ location: { reference: l } })) } : {}),
        ...(parentOrg ? { serviceProvider: { reference: parentOrg } } : {}),
      },
      // A visit number is unique within its hospital only: matched together with the patient's
      // person-wide identifier; without one, the visit is this document's own.
      visitIds[0] && p.match ? `${criteria(visitIds[0])}&subject:Patient.identifier=${p.match}` : identifierCriteria(ENTRY_ID_SYSTEM, ownId.value),
    );
  }
  return { patient, ...(encounter ? { encounter } : {}), authors, ...(custodian ? { custodian } : {}), ...(legal ? { legal } : {}), authenticators };
}

/** Resolves a reference to the resource it names (in a Bundle or the store). */
export type Resolve = (reference: string | undefined) => Json | undefined;

function idsOf(resource: Json | undefined): Id[] {
  return ((resource?.identifier as Json[] | undefined) ?? [])
    .filter((i) => i.system !== ENTRY_ID_SYSTEM)
    .map((i) => ({ root: systemOid(i.system as string) ?? '', ...(i.value ? { extension: String(i.value) } : {}) }))
    .filter((i) => i.root !== '');
}

function nameOf(resource: Json | undefined): string | undefined {
  const name = resource?.name;
  if (typeof name === 'string') return name;
  const first = (name as Json[] | undefined)?.[0];
  if (typeof first?.text === 'string') return first.text;
  const joined = `${(first?.family as string | undefined) ?? ''}${((first?.given as string[] | undefined) ?? []).join('')}`;
  return joined || undefined;
}

function codeOf(c: unknown): Code | undefined {
  const coding = ((c as Json | undefined)?.coding as Json[] | undefined)?.[0];
  if (!coding?.code) return undefined;
  return { type: 'CD', code: String(coding.code), ...(systemOid(coding.system as string) ? { codeSystem: systemOid(coding.system as string) as string } : {}), ...(coding.display ? { displayName: String(coding.display) } : {}) };
}

function orgModel(o: Json | undefined): Org | undefined {
  if (!o) return undefined;
  const tel = (o.telecom as Json[] | undefined)?.[0];
  return { ids: idsOf(o), ...(nameOf(o) ? { name: nameOf(o) as string } : {}), ...(tel?.value ? { telecom: `${tel.system === 'email' ? 'mailto' : 'tel'}:${String(tel.value)}` } : {}) };
}

function personModel(ref: string | undefined, resolve: Resolve, time?: string): Person | undefined {
  const r = resolve(ref);
  if (!r) return undefined;
  const practitioner = r.resourceType === 'PractitionerRole' ? resolve((r.practitioner as Json | undefined)?.reference as string) : r;
  const org = r.resourceType === 'PractitionerRole' ? orgModel(resolve((r.organization as Json | undefined)?.reference as string)) : undefined;
  const roleConcept = r.resourceType === 'PractitionerRole' ? (r.code as Json[] | undefined)?.[0] : undefined;
  const role = codeOf(roleConcept) ?? (typeof roleConcept?.text === 'string' ? ({ type: 'CD', code: '', displayName: roleConcept.text } as Code) : undefined);
  return { ids: idsOf(practitioner), ...(nameOf(practitioner) ? { name: nameOf(practitioner) as string } : {}), ...(time ? { time } : {}), ...(role ? { role } : {}), ...(org ? { org } : {}) };
}

const GENDER_GB: Record<string, Code> = {
  male: { type: 'CD', code: '1', codeSystem: OID.gender, displayName: '男性' },
  female: { type: 'CD', code: '2', codeSystem: OID.gender, displayName: '女性' },
  unknown: { type: 'CD', code: '0', codeSystem: OID.gender, displayName: '未知的性别' },
};

/** The header model back from a Composition and what it references. */
export function headerFromFhir(composition: Json, resolve: Resolve, type: { code: string; templateId: string; title: string }): Header {
  const patient = resolve((composition.subject as Json | undefined)?.reference as string) ?? {};
  const ext = (url: string) => ((patient.extension as Json[] | undefined) ?? []).find((x) => x.url === url);
  const pIds = idsOf(patient);
  const roleIds = pIds.filter((i) => VISIT_ID_ROOTS[i.root]);
  const addr = (patient.address as Json[] | undefined)?.[0];
  const tel = (patient.telecom as Json[] | undefined)?.[0];
  const genderGb = ext(EXT.genderGb)?.valueCoding as Json | undefined;
  const ethnic = ext(EXT.ethnicGroup)?.valueCoding as Json | undefined;
  const age = ext(EXT.age)?.valueQuantity as Json | undefined;
  const encounter = resolve((composition.encounter as Json | undefined)?.reference as string);
  const attesters = (composition.attester as Json[] | undefined) ?? [];
  const legal = attesters.find((a) => a.mode === 'legal');
  const docId = (composition.identifier as Json | undefined) ?? {};
  const replaces = ((composition.relatesTo as Json[] | undefined) ?? []).find((r) => r.code === 'replaces')?.targetIdentifier as Json | undefined;
  const compExt = (url: string) => ((composition.extension as Json[] | undefined) ?? []).find((x) => x.url === url);
  const setId = compExt(EXT.setId)?.valueIdentifier as Json | undefined;
  const version = compExt(EXT.versionNumber)?.valueInteger;
  // Location chain, innermost first: the encounter's first location and its partOf ancestors, then organisations.
  const locations: Org[] = [];
  if (encounter) {
    let loc = resolve((((encounter.location as Json[] | undefined)?.[0]?.location as Json | undefined)?.reference as string) ?? undefined);
    let org: Json | undefined;
    while (loc) {
      locations.push(orgModel(loc) as Org);
      org ??= resolve((loc.managingOrganization as Json | undefined)?.reference as string);
      loc = resolve((loc.partOf as Json | undefined)?.reference as string);
    }
    org ??= resolve((encounter.serviceProvider as Json | undefined)?.reference as string);
    for (let o = org; o; o = resolve((o.partOf as Json | undefined)?.reference as string)) locations.push(orgModel(o) as Org);
  }
  const period = encounter?.period as Json | undefined;
  const visitCode = codeOf(((encounter?.hospitalization as Json | undefined)?.admitSource as Json | undefined) ?? (encounter?.type as Json[] | undefined)?.[0]);
  const toCode = (c: Json | undefined): Code | undefined => (c ? codeOf({ coding: [c] }) : undefined);
  // CDA R2 requires a signing time (legalAuthenticator/time); an attester without one signed the document as dated.
  const signedAt = (a: Json): string | undefined => {
    const time = (a.time ?? composition.date) as string | undefined;
    return time ? tsFromFhir(time) : undefined;
  };
  return {
    ...(docId.system ? { id: { root: systemOid(docId.system as string) as string, ...(docId.value ? { extension: String(docId.value) } : {}) } } : {}),
    code: { type: 'CD', code: type.code, codeSystem: '2.16.156.10011.2.4', codeSystemName: '卫生信息共享文档编码体系', displayName: type.title },
    templateIds: [type.templateId],
    title: (composition.title as string | undefined) ?? type.title,
    ...(composition.date ? { effectiveTime: tsFromFhir(composition.date as string) } : {}),
    ...(setId?.system ? { setId: { root: systemOid(setId.system as string) as string, ...(setId.value ? { extension: String(setId.value) } : {}) } } : {}),
    ...(version !== undefined ? { versionNumber: String(version) } : {}),
    patient: {
      roleIds,
      ids: pIds.filter((i) => !VISIT_ID_ROOTS[i.root]),
      ...(nameOf(patient) ? { name: nameOf(patient) as string } : {}),
      ...(toCode(genderGb) ?? GENDER_GB[patient.gender as string] ? { gender: (toCode(genderGb) ?? GENDER_GB[patient.gender as string]) as Code } : {}),
      ...(patient.birthDate ? { birthTime: tsFromFhir(patient.birthDate as string) } : {}),
      ...(codeOf(patient.maritalStatus) ? { marital: codeOf(patient.maritalStatus) as Code } : {}),
      ...(toCode(ethnic) ? { ethnic: toCode(ethnic) as Code } : {}),
      ...(age && typeof age.value === 'number' ? { age: { value: age.value, ...(age.unit ? { unit: String(age.unit) } : {}) } } : {}),
      ...(addr
        ? {
            addr: {
              ...(addr.state ? { state: String(addr.state) } : {}),
              ...(addr.city ? { city: String(addr.city) } : {}),
              ...(addr.district ? { county: String(addr.district) } : {}),
              ...((addr.line as string[] | undefined)?.[0] ? { houseNumber: (addr.line as string[])[0] as string } : {}),
              ...(addr.postalCode ? { postalCode: String(addr.postalCode) } : {}),
            },
          }
        : {}),
      ...(tel?.value ? { telecom: `${tel.system === 'email' ? 'mailto' : 'tel'}:${String(tel.value)}` } : {}),
    },
    authors: ((composition.author as Json[] | undefined) ?? []).map((a) => personModel(a.reference as string, resolve, composition.date ? tsFromFhir(composition.date as string) : undefined)).filter((p): p is Person => !!p),
    ...(orgModel(resolve((composition.custodian as Json | undefined)?.reference as string)) ? { custodian: orgModel(resolve((composition.custodian as Json | undefined)?.reference as string)) as Org } : {}),
    ...(legal ? { legalAuthenticator: personModel((legal.party as Json | undefined)?.reference as string, resolve, signedAt(legal)) as Person } : {}),
    authenticators: attesters
      .filter((a) => a.mode === 'professional')
      .map((a) => personModel((a.party as Json | undefined)?.reference as string, resolve, signedAt(a)))
      .filter((p): p is Person => !!p),
    contacts: ((patient.contact as Json[] | undefined) ?? []).map((c) => {
      const t = (c.telecom as Json[] | undefined)?.[0];
      const relationship = codeOf((c.relationship as Json[] | undefined)?.[0]);
      const name = (c.name as Json | undefined)?.text as string | undefined;
      return { ...(name ? { name } : {}), ...(t?.value ? { telecom: `${t.system === 'email' ? 'mailto' : 'tel'}:${String(t.value)}` } : {}), ...(relationship ? { relationship } : {}) };
    }),
    ...(encounter
      ? {
          encounter: {
            // A visit typed by another system (a URL, not an OID) has no encompassingEncounter/code form.
            ...(visitCode?.codeSystem && OID_FORM.test(visitCode.codeSystem) ? { code: visitCode } : {}),
            ...(period?.start ? { low: tsFromFhir(period.start as string) } : {}),
            ...(period?.end ? { high: tsFromFhir(period.end as string) } : {}),
            locations,
          },
        }
      : {}),
    ...(replaces?.system ? { replaces: { root: systemOid(replaces.system as string) as string, ...(replaces.value ? { extension: String(replaces.value) } : {}) } } : {}),
  };
}
