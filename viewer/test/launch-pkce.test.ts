import { createHash, randomBytes } from 'node:crypto';
import { base64Url, codeChallenge, randomToken, sha256Fallback } from '../src/launch/pkce.js';

describe('PKCE S256 for the SMART launch', () => {
  it('derives the challenge of RFC 7636 appendix B', async () => {
    await expect(codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).resolves.toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('hashes like node:crypto without WebCrypto, across block boundaries', () => {
    for (const length of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000]) {
      const input = randomBytes(length);
      expect(Buffer.from(sha256Fallback(input)).toString('hex')).toBe(createHash('sha256').update(input).digest('hex'));
    }
  });

  it('makes 43-character URL-safe verifiers that differ', () => {
    const a = randomToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken()).not.toBe(a);
    expect(base64Url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
  });
});
