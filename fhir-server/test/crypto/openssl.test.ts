import { execFileSync, spawnSync } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sm3 } from '../../src/crypto/sm3.js';
import { DEFAULT_SM2_USER_ID, generateSm2KeyPair, sm2KeyPair, sm2PublicKeyFromSpki, sm2PublicKeyPem, sm2Sign, sm2Verify } from '../../src/crypto/sm2.js';

/** Whether the openssl CLI here has SM2, SM3 and SM4 (OpenSSL ≥ 1.1.1 built without no-sm*). */
function opensslHasSm(): boolean {
  const digests = spawnSync('openssl', ['list', '-digest-algorithms'], { encoding: 'utf8' });
  const ciphers = spawnSync('openssl', ['list', '-cipher-algorithms'], { encoding: 'utf8' });
  return digests.status === 0 && /sm3/i.test(digests.stdout) && /sm4-cbc/i.test(ciphers.stdout);
}

const hasSm = opensslHasSm();
const crossCheck = hasSm ? test : test.skip;
const why = hasSm ? '' : ' — SKIPPED: the openssl CLI on this machine lacks SM2/SM3/SM4';

/** DER SEQUENCE of two INTEGERs, as OpenSSL writes an ECDSA/SM2 signature. */
function derSignature(r: string, s: string): Buffer {
  const integer = (hex: string) => {
    let bytes = Buffer.from(hex.padStart(64, '0'), 'hex');
    while (bytes.length > 1 && bytes[0] === 0 && (bytes[1] as number) < 0x80) bytes = bytes.subarray(1);
    if ((bytes[0] as number) >= 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
  };
  const body = Buffer.concat([integer(r), integer(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

describe(`cross-check with the openssl CLI${why}`, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'qiao-sm-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content?: string | Buffer) => {
    const p = path.join(dir, name);
    if (content !== undefined) writeFileSync(p, content);
    return p;
  };
  const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'buffer', stdio: ['ignore', 'pipe', 'pipe'] });

  crossCheck('SM3: openssl dgst -sm3 agrees on "abc" and on a 1 MB input', () => {
    const big = Buffer.alloc(1 << 20, 'qiao-');
    for (const [name, data] of [['abc', 'abc'], ['big', big]] as const) {
      const out = openssl('dgst', '-sm3', '-r', file(name, data)).toString('utf8');
      expect(out.split(' ')[0]).toBe(sm3(data).toString('hex'));
    }
  });

  crossCheck('SM4: openssl enc -sm4-cbc (zero IV, no padding) gives the GB/T 32907 example 1 block, and agrees with node on padded CBC', () => {
    const key = '0123456789abcdeffedcba9876543210';
    const out = openssl('enc', '-sm4-cbc', '-K', key, '-iv', '0'.repeat(32), '-nopad', '-in', file('block', Buffer.from(key, 'hex')));
    expect(out.toString('hex')).toBe('681edf34d206965e86b3e94f536e4246');
    const iv = '00112233445566778899aabbccddeeff';
    const text = Buffer.from('110101199003071234 居民身份证号');
    const cipher = createCipheriv('sm4-cbc', Buffer.from(key, 'hex'), Buffer.from(iv, 'hex'));
    const ours = Buffer.concat([cipher.update(text), cipher.final()]);
    expect(openssl('enc', '-sm4-cbc', '-K', key, '-iv', iv, '-in', file('text', text)).equals(ours)).toBe(true);
  });

  crossCheck('SM2: openssl verifies the GB/T 32918.5 Annex A signature and ours; we verify openssl\'s', () => {
    const annex = sm2KeyPair('3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8');
    const verify = (pub: string, message: string, signature: Buffer) =>
      spawnSync('openssl', ['pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-pkeyopt', `distid:${DEFAULT_SM2_USER_ID}`,
        '-pubin', '-inkey', file('pub.pem', sm2PublicKeyPem(pub)), '-in', file('msg', message), '-sigfile', file('sig.der', signature)], { encoding: 'utf8' });
    const annexSig = derSignature('F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3', 'B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA');
    expect(verify(annex.publicKey, 'message digest', annexSig).stdout).toMatch(/Signature Verified Successfully/);
    expect(verify(annex.publicKey, 'message digesT', annexSig).status).not.toBe(0);

    const key = generateSm2KeyPair();
    const message = '影像报告 签名 Provenance.signature';
    expect(verify(key.publicKey, message, sm2Sign(message, key)).stdout).toMatch(/Signature Verified Successfully/);

    // The other way: an OpenSSL key and signature, checked by sm2Verify.
    const pem = file('key.pem');
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', pem);
    const publicKey = sm2PublicKeyFromSpki(openssl('pkey', '-in', pem, '-pubout', '-outform', 'DER'));
    const signature = openssl('pkeyutl', '-sign', '-rawin', '-digest', 'sm3', '-pkeyopt', `distid:${DEFAULT_SM2_USER_ID}`, '-inkey', pem, '-in', file('msg2', message));
    expect(sm2Verify(message, signature, publicKey)).toBe(true);
    expect(sm2Verify(`${message}!`, signature, publicKey)).toBe(false);
    expect(readFileSync(file('pub.pem'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
  });
});
