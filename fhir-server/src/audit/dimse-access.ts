import type { DicomStore, InstanceSink, StoreResult } from '@qiao/dicom-gateway';
import type { Principal } from '../auth/principal.js';
import type { Context } from '../router/types.js';
import { patientOfStudy } from './edge-access.js';
import { AUDIT, type AuditFacts } from './event.js';
import { studyEntity } from './http-access.js';
import { auditLog } from './log.js';

/**
 * DIMSE has no login: a peer is known by its AE title, which the gateway checks but does not hand
 * to the store. Its accesses are recorded as this principal, one record per study stored or
 * retrieved (C-STORE, C-MOVE/C-GET) and per query (C-FIND).
 */
const DIMSE_PEER: Principal = Object.freeze({ kind: 'backend', clientId: 'dimse-peer', roles: [], scopes: [] });

/**
 * The store as the DIMSE listener sees it, auditing what passes through: the same object
 * otherwise (methods run on the real store, so its private state is untouched).
 */
export function auditedDimseStore(ctx: Context, store: DicomStore): DicomStore {
  // A study sent instance by instance is one transfer: its records fold into one (see audit/repeats.ts).
  const record = (facts: Omit<AuditFacts, 'principal' | 'patients'>, study: string | undefined) =>
    void (study ? patientOfStudy(ctx.db, study).catch(() => []) : Promise.resolve([])).then((patients) =>
      auditLog(ctx).enqueueFacts({ ...facts, principal: DIMSE_PEER, patients }, { repeatable: facts.action !== 'E' }),
    );
  return new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const method = (value as (...args: unknown[]) => unknown).bind(target);
      if (prop === 'receiveInstance') {
        return (...args: unknown[]) => {
          const sink = method(...args) as InstanceSink;
          const stored = (result: StoreResult) => {
            const study = result.studyInstanceUID;
            record(
              {
                type: { system: AUDIT.dcm, code: '110104', display: 'DICOM Instances Transferred' },
                subtype: [{ system: AUDIT.qiaoEvent, code: 'c-store', display: 'C-STORE' }],
                action: 'C',
                outcome: result.status === 'failed' ? '4' : '0',
                ...(result.reason ? { outcomeDesc: `${result.reason.zh} | ${result.reason.en}` } : {}),
                data: study ? [studyEntity(study)] : [],
              },
              study,
            );
          };
          // Recorded once the C-STORE response has gone out: the modality does not wait for the audit.
          void sink.result.then((result) => setImmediate(stored, result));
          return sink;
        };
      }
      if (prop === 'instances') {
        return async (scope: { study: string }) => {
          const found = await method(scope);
          record(
            {
              type: { system: AUDIT.dcm, code: '110103', display: 'DICOM Instances Accessed' },
              subtype: [{ system: AUDIT.qiaoEvent, code: 'c-move', display: 'C-MOVE / C-GET' }],
              action: 'R',
              outcome: '0',
              data: [studyEntity(scope.study)],
            },
            scope.study,
          );
          return found;
        };
      }
      if (typeof prop === 'string' && prop.startsWith('find')) {
        return async (...args: unknown[]) => {
          const found = await method(...args);
          record(
            {
              type: { system: AUDIT.dcm, code: '110112', display: 'Query' },
              subtype: [{ system: AUDIT.qiaoEvent, code: 'c-find', display: 'C-FIND' }],
              action: 'E',
              outcome: '0',
              data: [{ query: `C-FIND ${prop} ${JSON.stringify(args[0] ?? {})}` }],
            },
            undefined,
          );
          return found;
        };
      }
      return method;
    },
  });
}
