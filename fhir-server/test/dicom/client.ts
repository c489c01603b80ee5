import * as dicomweb from 'dicomweb-client';
import XMLHttpRequest from 'xhr2';

// dicomweb-client is written for browsers: it needs XMLHttpRequest, which Node lacks.
(globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest ??= XMLHttpRequest;

/** dicomweb-client's published typings mark optional options required; tests call it loosely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Call = (options?: Record<string, unknown>) => Promise<any>;
export interface Client {
  storeInstances: Call;
  searchForStudies: Call;
  searchForSeries: Call;
  searchForInstances: Call;
  retrieveStudyMetadata: Call;
  retrieveSeriesMetadata: Call;
  retrieveInstanceMetadata: Call;
  retrieveStudy: Call;
  retrieveInstance: Call;
  retrieveInstanceFrames: Call;
  retrieveBulkData: Call;
}

export function dicomwebClient(url: string): Client {
  const api = (dicomweb as unknown as { api?: typeof dicomweb.api; default?: { api: typeof dicomweb.api } }).api ?? (dicomweb as unknown as { default: { api: typeof dicomweb.api } }).default.api;
  return new api.DICOMwebClient({ url, singlepart: false, verbose: false } as never) as unknown as Client;
}

/** A failed dicomweb-client request: its HTTP status and the parsed body. */
export async function failure(promise: Promise<unknown>): Promise<{ status: number; response: unknown }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { status?: number; response?: unknown };
    return { status: e.status ?? 0, response: e.response };
  }
  throw new Error('the request succeeded');
}
