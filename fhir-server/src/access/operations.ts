import type { ScopeInteraction } from '../auth/scopes.js';

/**
 * What each operation needs besides the checks its own reads and writes go through (they are
 * dispatched with the caller's principal). `interaction` on the operation's type (or `type`);
 * `wholeType`: the operation looks across all resources of the type (MPI matching and merging),
 * so a token that reaches only part of them is refused; `inner`: nothing beyond the inner checks.
 * At instance level the instance itself must be in reach. Operations not listed need read
 * (or update, when they change state) on their type.
 */
export interface OperationRule {
  readonly type?: string;
  readonly interaction?: ScopeInteraction;
  readonly wholeType?: boolean;
  readonly inner?: boolean;
}

export const OPERATION_RULES: Readonly<Record<string, OperationRule>> = {
  everything: { type: 'Patient', interaction: 'r' },
  export: { inner: true },
  'cda-import': { inner: true },
  'cda-validate': { inner: true },
  'cda-generate': { inner: true },
  cda: { type: 'Composition', interaction: 'r' },
  validate: { inner: true },
  match: { type: 'Patient', interaction: 's', wholeType: true },
  merge: { type: 'Patient', interaction: 'u', wholeType: true },
  unmerge: { type: 'Patient', interaction: 'u', wholeType: true },
  link: { type: 'Patient', interaction: 'u', wholeType: true },
  unlink: { type: 'Patient', interaction: 'u', wholeType: true },
  pseudonym: { type: 'Patient', interaction: 'r' },
  reindex: { interaction: 'u', wholeType: true },
  // The workflow table decides who takes which step (clinic, reader); reaching the Task is enough here.
  'ecg-transition': { type: 'Task', interaction: 'r' },
  // Their handlers check the role: the point of a grant is a patient the caller cannot reach yet.
  'break-glass': { inner: true },
  'break-glass-grants': { inner: true },
};
