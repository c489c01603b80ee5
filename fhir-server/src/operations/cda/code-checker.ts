import { defaultCodeChecker, type CodeChecker } from '@qiao/cda-adapters';
import type { Queryable } from '../../repository/db.js';
import type { Context } from '../../router/types.js';
import { terminologyFor } from '../terminology/service.js';

const BARE_OID = /^[0-2](\.(0|[1-9]\d*))+$/;

/**
 * CDA validation asks the server's terminology service — shipped national tables and the code
 * tables stored on this database — about coded values. CDA names code systems by bare OID, the
 * service by `urn:oid:` URI. A data element's value set (WS 364 / WS/T 500) is asked the same way:
 * WS/T 500 writes the value set's OID as the codeSystem, and each national table is its own
 * all-codes value set. Systems the service does not hold (HL7 v3 tables named by OID) fall back to
 * the adapter's built-in checker.
 */
export async function cdaCodeChecker(ctx: Context, q: Queryable): Promise<CodeChecker> {
  const terminology = await terminologyFor(ctx, q);
  return {
    check(codeSystem, code) {
      const system = BARE_OID.test(codeSystem) ? `urn:oid:${codeSystem}` : codeSystem;
      const answer = terminology.validateCode({ system, code });
      if (answer.result) return 'valid';
      if (!answer.unknownSystem) return 'invalid';
      if (answer.issues.some((issue) => issue.id === 'TX-INCOMPLETE-SYSTEM')) return 'partial';
      return defaultCodeChecker.check(codeSystem, code);
    },
  };
}
