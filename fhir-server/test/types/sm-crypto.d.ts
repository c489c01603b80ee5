// The subset of sm-crypto 0.5 the tests use as an independent SM2 verifier. @types/sm-crypto describes 0.3 (no userId option).
declare module 'sm-crypto' {
  interface Sm2SignOptions {
    /** Hash with the Z value (GM/T 0009) before signing; true for standard SM2 signatures. */
    hash?: boolean;
    /** Encode the signature as ASN.1 DER instead of r||s hex. */
    der?: boolean;
    /** Distinguishing identifier; sm-crypto defaults to 1234567812345678. */
    userId?: string;
    /** Uncompressed public key (04||x||y hex), spares recomputing it from the private key. */
    publicKey?: string;
  }
  interface Sm2 {
    generateKeyPairHex(): { privateKey: string; publicKey: string };
    getPublicKeyFromPrivateKey(privateKey: string): string;
    doSignature(msg: string | number[] | Uint8Array, privateKey: string, options?: Sm2SignOptions): string;
    doVerifySignature(msg: string | number[] | Uint8Array, signature: string, publicKey: string, options?: Omit<Sm2SignOptions, 'publicKey'>): boolean;
    verifyPublicKey(publicKey: string): boolean;
  }
  const smCrypto: { sm2: Sm2 };
  export default smCrypto;
}
