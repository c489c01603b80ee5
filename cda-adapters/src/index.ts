import { CdaError, type CdaIssue } from './issues.js';
import { cdaToFhir, toTransaction, type MappedDocument } from './map/document.js';
import { validateParsed, type ValidateOptions } from './validate/validator.js';
import { decodeDocument } from './xml/decode.js';
import { attr, child, parseXml } from './xml/dom.js';

export { CdaError, type CdaIssue } from './issues.js';
export { decodeDocument } from './xml/decode.js';
export { parseXml, type XElement } from './xml/dom.js';
export { cdaToFhir, toTransaction, sm3Hex, type MappedDocument } from './map/document.js';
export { escapeToken } from './map/collector.js';
export { fhirToCda, composeDocument, compositionType } from './generate/cda.js';
export { validateCda, validateParsed, type ValidateOptions } from './validate/validator.js';
export { RULES, type RuleId, type RuleOverrides } from './validate/rules.js';
export { defaultCodeChecker, type CodeChecker } from './validate/codes.js';
export { residentIdProblem, residentIdCheckChar } from './validate/resident-id.js';
export { DOCUMENT_TYPES, documentType, type DocumentType } from './tables/document-types.js';
export { PROFILES, profileOf } from './tables/sections.js';
export { OID } from './tables/identifiers.js';
export { EXT, MAPPING_TAG, DOCUMENT_TYPE_SYSTEM } from './map/fhir-urls.js';
export type { Resolve } from './map/header-fhir.js';

export interface ImportResult {
  /** Every issue found; the document is importable when none is fatal or an error. */
  issues: CdaIssue[];
  /** The document type code (ClinicalDocument/code/@code) whenever the XML could be read, so a rejected import is logged with its type. */
  code?: string;
  mapped?: MappedDocument;
  transaction?: Record<string, unknown>;
}

export function blocking(issues: CdaIssue[]): boolean {
  return issues.some((i) => i.severity === 'fatal' || i.severity === 'error');
}

/** Bytes of a document → its issues and, when valid, the transaction Bundle that stores it. */
export function prepareImport(bytes: Uint8Array, options: ValidateOptions = {}): ImportResult {
  let root;
  try {
    root = parseXml(decodeDocument(bytes));
  } catch (error) {
    if (error instanceof CdaError) return { issues: error.issues };
    throw error;
  }
  const issues = validateParsed(root, options);
  const code = attr(child(root, 'code'), 'code');
  const typed = code ? { code } : {};
  if (blocking(issues)) return { issues, ...typed };
  const mapped = cdaToFhir(root);
  // The element tree is not needed past this point; dropped before the Binary's base64 is made.
  root = undefined;
  return { issues, ...typed, mapped, transaction: toTransaction(mapped, bytes) };
}
