import type { Response } from 'express';

/** An OAuth 2.0 error (RFC 6749 5.2): the code a client acts on, and a bilingual description. */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly zh: string,
    readonly en: string,
    readonly status = 400,
  ) {
    super(en);
    this.name = 'OAuthError';
  }

  get description(): string {
    return `${this.zh} | ${this.en}`;
  }
}

export function sendOAuthError(res: Response, e: OAuthError): void {
  res.status(e.status).setHeader('Cache-Control', 'no-store');
  if (e.status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="qiao"');
  res.json({ error: e.error, error_description: e.description });
}

/** Token-endpoint JSON that must never be cached (RFC 6749 5.1). */
export function sendNoStore(res: Response, body: unknown): void {
  res.status(200).setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  res.json(body);
}
