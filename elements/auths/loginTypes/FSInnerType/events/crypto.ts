import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Feishu's event-push cryptography (feishu-events-and-scopes.md §1.2–§1.3),
 * written once for the element (decrypt, verify) and the sandbox (encrypt, sign):
 *
 *   key        SHA-256(encrypt key as UTF-8)            32 bytes → AES-256-CBC, PKCS7
 *   wire       base64(iv ‖ ciphertext)                 iv: 16 random bytes, first
 *   body       {"encrypt":"<wire>"}                    the plaintext is the whole event JSON
 *   signature  hex(SHA-256(timestamp + nonce + encrypt key + raw body bytes))
 *              in X-Lark-Signature, with X-Lark-Request-Timestamp and X-Lark-Request-Nonce;
 *              sent only when an encrypt key is set; not on url_verification
 */

const IV_BYTES = 16;
const keyOf = (encryptKey: string): Buffer => createHash('sha256').update(encryptKey, 'utf8').digest();

/** `base64(iv ‖ AES-256-CBC(plaintext))` with a fresh random IV. */
export function encryptEvent(encryptKey: string, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-cbc', keyOf(encryptKey), iv);
  return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The plaintext of an `encrypt` value; throws (a plain Error, never echoing the input) when it is not valid ciphertext for this key. */
export function decryptEvent(encryptKey: string, wire: string): string {
  const bytes = Buffer.from(wire, 'base64');
  if (bytes.length < IV_BYTES * 2 || (bytes.length - IV_BYTES) % IV_BYTES !== 0 || bytes.toString('base64') !== wire.replace(/\s/g, '')) {
    throw new Error('not AES-256-CBC ciphertext in base64 (iv ‖ blocks)');
  }
  const decipher = createDecipheriv('aes-256-cbc', keyOf(encryptKey), bytes.subarray(0, IV_BYTES));
  try {
    // A wrong key still yields valid padding once in ~256 tries: the garbage it gives is refused as not UTF-8 text.
    return STRICT_UTF8.decode(Buffer.concat([decipher.update(bytes.subarray(IV_BYTES)), decipher.final()]));
  } catch {
    throw new Error('ciphertext does not decrypt with the configured encrypt key (bad padding or not text)');
  }
}

/** X-Lark-Signature for a push: lowercase hex SHA-256 over timestamp + nonce + encrypt key + the raw body. */
export function signEvent(encryptKey: string, timestamp: string, nonce: string, rawBody: Buffer | string): string {
  return createHash('sha256').update(timestamp + nonce + encryptKey, 'utf8').update(rawBody).digest('hex');
}

/** Constant-time check of a received signature. */
export function signatureMatches(encryptKey: string, timestamp: string, nonce: string, rawBody: Buffer, signature: string): boolean {
  const expected = Buffer.from(signEvent(encryptKey, timestamp, nonce, rawBody), 'utf8');
  const given = Buffer.from(signature.toLowerCase(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
