import { createCipheriv } from 'node:crypto';
import { sm3 } from '../../src/crypto/sm3.js';
import { sm2KeyPair, sm2Sign, sm2Verify, generateSm2KeyPair } from '../../src/crypto/sm2.js';

/** The official vectors exactly as issue 8 lists them (GB/T 32905, 32907, 32918.5 Annex A). */
describe('official vectors', () => {
  test('SM3("abc") — GB/T 32905 example 1', () => {
    expect(sm3('abc').toString('hex')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });

  test('SM4 — GB/T 32907 example 1 (key = plaintext)', () => {
    const key = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');
    const cipher = createCipheriv('sm4-ecb', key, null).setAutoPadding(false);
    const out = Buffer.concat([cipher.update(key), cipher.final()]);
    expect(out.toString('hex')).toBe('681edf34d206965e86b3e94f536e4246');
  });

  const ANNEX_A_PRIVATE = '3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8';
  const ANNEX_A = {
    r: 'F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3',
    s: 'B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA',
  };

  test('SM2 — GB/T 32918.5 Annex A signature verifies with user ID 1234567812345678', () => {
    const { publicKey } = sm2KeyPair(ANNEX_A_PRIVATE);
    // The public key of the annex (x = 09F9DF31…, y = CCEA490C…), derived from its private key.
    expect(publicKey.toUpperCase()).toMatch(/^0409F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13$/);
    expect(sm2Verify('message digest', ANNEX_A, publicKey)).toBe(true);
  });

  test('SM2 — the Annex A signature fails for another message, another user ID or a changed s', () => {
    const { publicKey } = sm2KeyPair(ANNEX_A_PRIVATE);
    expect(sm2Verify('message digesT', ANNEX_A, publicKey)).toBe(false);
    expect(sm2Verify('message digest', ANNEX_A, publicKey, 'ALICE123@YAHOO.COM')).toBe(false);
    const s = ANNEX_A.s.slice(0, -1) + (ANNEX_A.s.endsWith('A') ? 'B' : 'A');
    expect(sm2Verify('message digest', { ...ANNEX_A, s }, publicKey)).toBe(false);
  });

  test('SM2 — sign and verify round trip (DER), with the Annex key and a fresh one', () => {
    for (const key of [sm2KeyPair(ANNEX_A_PRIVATE), generateSm2KeyPair()]) {
      const signature = sm2Sign('检查报告 DiagnosticReport/42', key);
      expect(signature[0]).toBe(0x30);
      expect(sm2Verify('检查报告 DiagnosticReport/42', signature, key.publicKey)).toBe(true);
      expect(sm2Verify('检查报告 DiagnosticReport/43', signature, key.publicKey)).toBe(false);
      // Randomised k: two signatures of the same message differ, and both verify.
      const again = sm2Sign('检查报告 DiagnosticReport/42', key);
      expect(again.equals(signature)).toBe(false);
      expect(sm2Verify('检查报告 DiagnosticReport/42', again, key.publicKey)).toBe(true);
    }
  });

  test('SM2 — malformed signatures and keys are false, not exceptions', () => {
    const key = generateSm2KeyPair();
    expect(sm2Verify('x', Buffer.from('3006020101020101', 'hex'), key.publicKey)).toBe(false);
    expect(sm2Verify('x', Buffer.from('not der'), key.publicKey)).toBe(false);
    expect(sm2Verify('x', { r: 'zz', s: '01' }, key.publicKey)).toBe(false);
    expect(sm2Verify('x', sm2Sign('x', key), '04' + '00'.repeat(64))).toBe(false);
    expect(() => sm2KeyPair('abc')).toThrow(/64 hex/);
  });
});
