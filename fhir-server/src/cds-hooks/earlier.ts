import type { CodeableConcept, DiagnosticReport, ImagingStudy, MedicationDispense, MedicationRequest, Observation, Organization, Reference, Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../repository/db.js';
import type { Context, FhirRequest } from '../router/types.js';
import { readAs, searchAs } from '../registries/fhir-calls.js';
import { sameCode, type Code, type DuplicateRule } from './rules.js';

/** An earlier result, exam or prescription that makes a draft order a duplicate. */
export interface Earlier {
  resource: Resource;
  /** `Type/id`. */
  ref: string;
  /** When it was done (effective, started, authored, handed over), `YYYY-MM-DD…`. */
  date: string;
  display: string;
  institution?: { ref: string; name: string };
}

const GONE = new Set(['cancelled', 'entered-in-error', 'draft']);

function codesOf(concept: CodeableConcept | undefined): Code[] {
  return (concept?.coding ?? []).filter((c) => c.system && c.code).map((c) => ({ system: c.system as string, code: c.code as string }));
}

const tokens = (codes: readonly Code[]) => codes.map((c) => `${c.system}|${c.code}`).join(',');

function organisationRef(refs: (Reference | undefined)[]): string | undefined {
  return refs.find((r) => r?.reference?.startsWith('Organization/'))?.reference;
}

function dateOf(resource: Resource): string | undefined {
  switch (resource.resourceType) {
    case 'Observation':
      return resource.effectiveDateTime ?? resource.effectivePeriod?.start ?? resource.issued;
    case 'DiagnosticReport':
      return resource.effectiveDateTime ?? resource.effectivePeriod?.start ?? resource.issued;
    case 'ImagingStudy':
      return resource.started;
    case 'MedicationRequest':
      return resource.authoredOn;
    case 'MedicationDispense':
      return resource.whenHandedOver ?? resource.whenPrepared;
    default:
      return undefined;
  }
}

function performerOf(resource: Resource): string | undefined {
  switch (resource.resourceType) {
    case 'Observation':
    case 'DiagnosticReport':
      return organisationRef(resource.performer ?? []);
    case 'ImagingStudy':
      return organisationRef((resource.series ?? []).flatMap((s) => (s.performer ?? []).map((p) => p.actor)));
    case 'MedicationRequest':
      return organisationRef([resource.requester, resource.performer, resource.dispenseRequest?.performer]);
    case 'MedicationDispense':
      return organisationRef((resource.performer ?? []).map((p) => p.actor));
    default:
      return undefined;
  }
}

function displayOf(resource: Resource, rule: DuplicateRule): string {
  const concept =
    resource.resourceType === 'MedicationRequest' || resource.resourceType === 'MedicationDispense'
      ? resource.medicationCodeableConcept
      : resource.resourceType === 'ImagingStudy'
        ? resource.procedureCode?.[0]
        : (resource as Observation | DiagnosticReport).code;
  return concept?.text ?? concept?.coding?.[0]?.display ?? rule.zh;
}

/**
 * The patient's earlier results for a rule within its window, read with the CDS client's
 * principal through the router (its access rules apply), newest first: lab tests as
 * DiagnosticReports and Observations, exams as DiagnosticReports and ImagingStudies (by
 * procedure code), drugs as MedicationRequests and MedicationDispenses.
 */
export async function earlierResults(ctx: Context, q: Queryable, req: FhirRequest, patientId: string, rule: DuplicateRule, now: Date, excludeIds: ReadonlySet<string>): Promise<Earlier[]> {
  const since = new Date(now.getTime() - rule.windowDays * 86_400_000).toISOString().slice(0, 10);
  const patient = `Patient/${patientId}`;
  const codes = tokens(rule.resultCodes);
  let found: Resource[] = [];
  if (rule.kind === 'drug') {
    found = [
      ...(await searchAs<MedicationRequest>(ctx, q, req, 'MedicationRequest', [['patient', patient], ['code', codes], ['authoredon', `ge${since}`]])),
      ...(await searchAs<MedicationDispense>(ctx, q, req, 'MedicationDispense', [['patient', patient], ['code', codes], ['whenhandedover', `ge${since}`]])),
    ];
  } else {
    found = await searchAs<DiagnosticReport>(ctx, q, req, 'DiagnosticReport', [['patient', patient], ['code', codes], ['date', `ge${since}`]]);
    if (rule.kind === 'lab') found.push(...(await searchAs<Observation>(ctx, q, req, 'Observation', [['patient', patient], ['code', codes], ['date', `ge${since}`]])));
    else {
      const studies = await searchAs<ImagingStudy>(ctx, q, req, 'ImagingStudy', [['patient', patient], ['started', `ge${since}`]]);
      found.push(...studies.filter((s) => (s.procedureCode ?? []).some((p) => codesOf(p).some((c) => rule.resultCodes.some((r) => sameCode(r, c))))));
    }
  }
  const kept = found.filter((r) => !excludeIds.has(`${r.resourceType}/${r.id}`) && !GONE.has((r as { status?: string }).status ?? '') && dateOf(r));
  // An Observation that a DiagnosticReport already cites is the same test: the report stands for it.
  const cited = new Set(kept.flatMap((r) => (r.resourceType === 'DiagnosticReport' ? (r.result ?? []).map((x) => x.reference) : [])));
  const names = new Map<string, string>();
  const out: Earlier[] = [];
  for (const r of kept.filter((x) => !cited.has(`${x.resourceType}/${x.id}`))) {
    const orgRef = performerOf(r);
    if (orgRef && !names.has(orgRef)) {
      const org = await readAs<Organization>(ctx, q, req, 'Organization', orgRef.slice('Organization/'.length)).catch(() => undefined);
      names.set(orgRef, org?.name ?? orgRef);
    }
    out.push({ resource: r, ref: `${r.resourceType}/${r.id}`, date: dateOf(r) as string, display: displayOf(r, rule), ...(orgRef ? { institution: { ref: orgRef, name: names.get(orgRef) as string } } : {}) });
  }
  return out.sort((a, b) => b.date.localeCompare(a.date));
}
