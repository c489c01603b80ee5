import { generateSm2KeyPair, sm2Sign, sm2Verify } from '../../src/crypto/index.js';
import { sm2SignMessage, sm2VerifyMessage } from '../../src/signatures/digest.js';

// The official vector is checked in test/crypto; here the natively hashed variant must agree with it both ways.
describe('SM2 with native SM3 hashing', () => {
  const key = generateSm2KeyPair();
  const message = Buffer.from('{"conclusion":"右肺上叶结节","id":"r1","resourceType":"DiagnosticReport","status":"final"}', 'utf8');

  it.each(['1234567812345678', 'ALICE123@YAHOO.COM'])('agrees with crypto/sm2.ts in both directions (user ID %s)', (userId) => {
    expect(sm2Verify(message, sm2SignMessage(message, key, userId), key.publicKey, userId)).toBe(true);
    expect(sm2VerifyMessage(message, sm2Sign(message, key, userId), key.publicKey, userId)).toBe(true);
  });

  it('refuses another message, another user ID, another key and malformed signatures', () => {
    const signature = sm2SignMessage(message, key, '1234567812345678');
    expect(sm2VerifyMessage(Buffer.concat([message, Buffer.from(' ')]), signature, key.publicKey, '1234567812345678')).toBe(false);
    expect(sm2VerifyMessage(message, signature, key.publicKey, '1234567812345679')).toBe(false);
    expect(sm2VerifyMessage(message, signature, generateSm2KeyPair().publicKey, '1234567812345678')).toBe(false);
    expect(sm2VerifyMessage(message, Buffer.from('3006020101020101', 'hex'), key.publicKey, '1234567812345678')).toBe(false);
    expect(sm2VerifyMessage(message, Buffer.from('not DER'), key.publicKey, '1234567812345678')).toBe(false);
    expect(sm2VerifyMessage(message, signature, '04deadbeef', '1234567812345678')).toBe(false);
  });
});
