export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** fetch against a FHIR base, JSON by default; the body is parsed when the reply is JSON. */
export async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const init: RequestInit = { method, headers: { accept: 'application/fhir+json', ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' || body instanceof Uint8Array ? (body as string) : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/fhir+json';
  }
  const res = await fetch(`${base}/${path}`, init);
  const text = await res.text();
  let parsed: unknown;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/** The first issue of an OperationOutcome reply, for asserting what the user is told. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function firstIssue(reply: Reply): any {
  expect(reply.body?.resourceType).toBe('OperationOutcome');
  return reply.body.issue[0];
}
