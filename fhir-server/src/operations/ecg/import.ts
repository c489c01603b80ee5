import { ecgError } from '../../ecg/errors.js';
import { formatOf, importEcg } from '../../ecg/import.js';
import type { Queryable } from '../../repository/db.js';
import type { Context, FhirRequest, FhirResponse } from '../../router/types.js';

const ORGANISATION = /^Organization\/[A-Za-z0-9\-.]{1,64}$/;

function organisationParam(req: FhirRequest, name: string): string | undefined {
  const value = req.query.find(([k]) => k === name)?.[1];
  if (value === undefined) return undefined;
  if (!ORGANISATION.test(value)) throw ecgError(400, 'ECG-PARAM-001', `参数 ${name} 必须是 Organization/<id>`, `parameter ${name} must be Organization/<id>`, name);
  return value;
}

/**
 * `POST [base]/$ecg-import`: the body is one ECG file, `application/xml` (HL7 aECG) or
 * `application/dicom` (12-lead or General ECG waveform). Query parameters: `md5` (the sender's
 * MD5, hex or base64; a mismatch is refused), `requester` and `centre` (Organization references),
 * `priority=stat` (urgent). Answer: the transaction-response Bundle.
 */
export async function ecgImportOperation(ctx: Context, q: Queryable, req: FhirRequest): Promise<FhirResponse> {
  const bytes = req.rawBody;
  if (!bytes || bytes.length === 0) throw ecgError(400, 'ECG-BODY-001', '请求体为空：请发送心电文件', 'the request body is empty: send the ECG file', 'body');
  const format = formatOf(req.contentType, bytes);
  const md5 = req.query.find(([k]) => k === 'md5')?.[1];
  const requester = organisationParam(req, 'requester');
  const owner = organisationParam(req, 'centre');
  const urgent = req.query.some(([k, v]) => k === 'priority' && v === 'stat');
  return importEcg(ctx, q, req, bytes, format, {
    ...(md5 !== undefined ? { md5 } : {}),
    ...(requester ? { requester } : {}),
    ...(owner ? { owner } : {}),
    urgent,
  });
}
