/** National cryptography (GB/T 39786): SM3, HMAC-SM3, SM4 field encryption, blind indexes, SM2 signatures, keys. */
export { sm3, hmacSm3 } from './sm3.js';
export { encryptField, decryptField, isFieldToken, fieldKeyIdOf, FieldCipherError, type FieldKeys } from './field-cipher.js';
export { blindIndex, normaliseIdentifier } from './blind-index.js';
export { DEFAULT_SM2_USER_ID, generateSm2KeyPair, sm2KeyPair, sm2Sign, sm2Verify, verifyingPoint, sm2PublicKeyPem, sm2PublicKeyFromSpki, type Sm2KeyPair, type Sm2RawSignature } from './sm2.js';
export { loadKeyRing, keyRingFrom, generateKeyFile, readKeyFile, writeKeyFile, devKeyFilePath, type KeyFile, type KeyRing } from './key-ring.js';
export { withNewFieldKey, rotateKeyFile, retireFieldKey, reencryptField } from './rotate.js';
