import type { MessageId } from '../errors/catalogue.js';
import type { Params } from '../errors/fhir-error.js';
import type { ExportRequester } from './access.js';

/**
 * What an export job selects, resolved at kick-off and stored with the job (JSON), so the job
 * runs the same after the request is gone.
 */
export interface ExportSpec {
  level: 'system' | 'patient' | 'group';
  /** The Group of a group-level export, and the ids of its Patient members at kick-off. */
  group?: { id: string; members: string[] };
  /** Resource types to export, in order. */
  types: string[];
  /** FHIR instant: only resources changed after it. */
  since?: string;
  /** Per type, alternative searches (ORed), each as query pairs; a type without entry is unfiltered. */
  typeFilters: Record<string, [string, string][][]>;
  /** FHIR base the type filters were written against (absolute references to it). */
  baseUrl: string;
  /** Who asked, and the access settings then: the export holds only what they may see (bulk/access.ts). */
  requester?: ExportRequester;
}

export type JobStatus = 'running' | 'completed' | 'failed';

/** One file of a completed export. */
export interface OutputFile {
  type: string;
  file: string;
  count: number;
}

/** A failure as a catalogue message, rendered in both languages when the client polls. */
export interface JobError {
  messageId: MessageId;
  params: Params;
}
