import { writeBody, type Entry, type Section } from '../model/body.js';
import { writeHeader } from '../model/header.js';
import { entryFromFhir, ruleFor } from '../map/entries.js';
import { DOCUMENT_TYPE_SYSTEM, MAPPING_TAG } from '../map/fhir-urls.js';
import { headerFromFhir, type Resolve } from '../map/header-fhir.js';
import { decodeEntities } from '../xml/dom.js';
import { xhtmlToNarrative } from '../xml/narrative.js';
import { writeXml } from '../xml/write.js';
import { documentType, type DocumentType } from '../tables/document-types.js';
import { OID, systemOid } from '../tables/identifiers.js';
import { profileOf, sectionDef, SECTIONS } from '../tables/sections.js';

type Json = Record<string, unknown>;

function narrative(div: unknown): string | undefined {
  if (typeof div !== 'string') return undefined;
  const text = decodeEntities(div.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
  return text || undefined;
}

function sectionFromFhir(s: Json, resolve: Resolve): Section {
  const coding = ((s.code as Json | undefined)?.coding as Json[] | undefined)?.[0];
  // A section with an emptyReason has no content: its narrative only repeats the title (cmp-1), so a
  // CDA section with a title only stays one.
  const div = s.emptyReason ? undefined : (s.text as Json | undefined)?.div;
  const text = narrative(div);
  const structure = typeof div === 'string' ? xhtmlToNarrative(div) : undefined;
  return {
    ...(coding?.code
      ? { code: { type: 'CD', code: String(coding.code), codeSystem: systemOid(coding.system as string) ?? OID.loinc, codeSystemName: 'LOINC', ...(coding.display ? { displayName: String(coding.display) } : {}) } }
      : (s.code as Json | undefined)?.text
        ? { code: { type: 'CD', code: '', displayName: String((s.code as Json).text) } }
        : {}),
    ...(s.title ? { title: String(s.title) } : {}),
    ...(text ? { text } : {}),
    ...(structure?.length ? { narrative: structure } : {}),
    entries: ((s.entry as Json[] | undefined) ?? []).map((e) => resolve(e.reference as string)).map((r) => (r ? entryFromFhir(r) : undefined)).filter((e): e is Entry => !!e),
    sections: ((s.section as Json[] | undefined) ?? []).map((sub) => sectionFromFhir(sub, resolve)),
  };
}

export function compositionType(composition: Json): DocumentType | undefined {
  const coding = ((composition.type as Json | undefined)?.coding as Json[] | undefined)?.find((c) => c.system === DOCUMENT_TYPE_SYSTEM);
  return documentType(coding?.code as string | undefined);
}

/** The CDA document of a Composition (the one an import stored, or one `composeDocument` made). */
export function fhirToCda(composition: Json, resolve: Resolve): string {
  const type = compositionType(composition);
  if (!type) throw new Error('the Composition has no shared-document type code');
  const header = headerFromFhir(composition, resolve, type);
  const sections = ((composition.section as Json[] | undefined) ?? []).map((s) => sectionFromFhir(s, resolve));
  return writeXml(writeHeader(header, writeBody(sections)));
}

/** What decides the section a stored resource goes to: its rule id, else its data-element code. */
function placementKey(resource: Json): string[] {
  const tag = ((resource.meta as Json | undefined)?.tag as Json[] | undefined)?.find((t) => t.system === MAPPING_TAG)?.code as string | undefined;
  const entry = entryFromFhir(resource);
  const rule = entry ? ruleFor(entry) : undefined;
  return [tag, rule?.id, entry?.code?.code].filter((k): k is string => !!k);
}

const DIAGNOSIS_ROLE = 'http://terminology.hl7.org/CodeSystem/diagnosis-role';

/** The sections (keys of SECTIONS) each resource was filed under in stored Compositions, by reference. */
function filedUnder(compositions: readonly Json[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const walk = (sections: Json[] | undefined): void => {
    for (const s of sections ?? []) {
      const coding = ((s.code as Json | undefined)?.coding as Json[] | undefined)?.[0];
      const def = sectionDef(coding?.code as string | undefined, (coding?.display ?? (s.code as Json | undefined)?.text) as string | undefined, s.title as string | undefined);
      for (const e of (s.entry as Json[] | undefined) ?? []) {
        if (!def || typeof e.reference !== 'string') continue;
        out.set(e.reference, (out.get(e.reference) ?? new Set()).add(def.key));
      }
      walk(s.section as Json[] | undefined);
    }
  };
  for (const c of compositions) walk(c.section as Json[] | undefined);
  return out;
}

/** The sections a resource's own data names: those of the diagnosis role in its category. */
function namedSections(resource: Json): string[] {
  const roles = ((resource.category as Json[] | undefined) ?? []).flatMap((c) => (c.coding as Json[] | undefined) ?? []).filter((c) => c.system === DIAGNOSIS_ROLE).map((c) => c.code);
  return Object.values(SECTIONS).filter((s) => s.role !== undefined && roles.includes(s.role)).map((s) => s.key);
}

/**
 * A Composition of `type` over stored resources of a patient (or one encounter). Each resource
 * goes to a section of the type's profile that accepts it: the one its role names (a diagnosis
 * role in its category) or a stored document filed it under (the 出院诊断 of a discharge record),
 * else the first that accepts it, in the profile's order.
 */
export function composeDocument(
  type: DocumentType,
  input: { patient: string; encounter?: string; author?: string; legalAuthenticator?: string; custodian?: string; documentId: { root: string; extension: string }; date: string },
  resources: Json[],
  compositions: readonly Json[] = [],
): Json {
  const profile = profileOf(type.code);
  const sections = (profile?.sections ?? []).map(({ key, required }) => ({ key, def: SECTIONS[key], required, entries: [] as Json[] }));
  const filed = filedUnder(compositions);
  for (const r of resources) {
    const keys = placementKey(r);
    const reference = `${String(r.resourceType)}/${String(r.id)}`;
    const named = new Set([...namedSections(r), ...(filed.get(reference) ?? [])]);
    const accepting = sections.filter((s) => s.def?.accepts?.some((a) => keys.includes(a)));
    const target = accepting.find((s) => named.has(s.key)) ?? accepting[0];
    if (target) target.entries.push({ reference });
  }
  return {
    resourceType: 'Composition',
    identifier: { system: `urn:oid:${input.documentId.root}`, value: input.documentId.extension },
    status: 'final',
    type: { coding: [{ system: DOCUMENT_TYPE_SYSTEM, code: type.code, display: type.title }] },
    subject: { reference: input.patient },
    ...(input.encounter ? { encounter: { reference: input.encounter } } : {}),
    date: input.date,
    author: input.author ? [{ reference: input.author }] : [],
    title: type.title,
    ...(input.legalAuthenticator ? { attester: [{ mode: 'legal', time: input.date, party: { reference: input.legalAuthenticator } }] } : {}),
    ...(input.custodian ? { custodian: { reference: input.custodian } } : {}),
    // Optional sections without data are left out; required ones stay, so the validator names what is missing.
    section: sections
      .filter((s) => s.def && (s.required || s.entries.length > 0))
      .map((s) => ({
        title: s.def?.displayName.replace(/章节$/, ''),
        code: s.def?.code ? { coding: [{ system: 'http://loinc.org', code: s.def.code, display: s.def.displayName }] } : { text: s.def?.displayName },
        ...(s.entries.length ? { entry: s.entries } : {}),
      })),
  };
}

