import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RuntimeErrors } from '../errcode.js';

const KEY_FILE = 'secret.key';
const PREFIX = 'enc1';

/**
 * Encrypts values stored at rest (users' Feishu access and refresh tokens)
 * with AES-256-GCM. Ciphertexts name the key that made them, so a key can be
 * rotated: the new key encrypts, the previous one still decrypts.
 *
 *   JIT_SECRET_KEY           32 bytes, base64 or hex; else a key generated into <dataDir>/secret.key (0600)
 *   JIT_SECRET_KEY_PREVIOUS  the key being rotated out (decrypt only)
 */
export class SecretBox {
  private keys: Map<string, Buffer> | undefined;
  private currentId = '';

  /** `load` runs on first use, so an app that never stores a secret never creates a key file. */
  constructor(private readonly load: () => { current: Buffer; previous?: Buffer | undefined }) {}

  static fromKeys(current: Buffer, previous?: Buffer): SecretBox {
    return new SecretBox(() => ({ current, previous }));
  }

  static fromEnvironment(env: Readonly<Record<string, string | undefined>>, dataDir: string): SecretBox {
    const given = env['JIT_SECRET_KEY'];
    const previous = env['JIT_SECRET_KEY_PREVIOUS'];
    // Malformed keys are reported at once; only the generated key file waits for first use.
    const current = given ? parseKey(given, 'JIT_SECRET_KEY') : undefined;
    const old = previous ? parseKey(previous, 'JIT_SECRET_KEY_PREVIOUS') : undefined;
    return new SecretBox(() => ({ current: current ?? keyFile(dataDir), previous: old }));
  }

  private keyring(): Map<string, Buffer> {
    if (!this.keys) {
      const { current, previous } = this.load();
      this.currentId = keyId(current);
      this.keys = new Map([[this.currentId, current]]);
      if (previous) this.keys.set(keyId(previous), previous);
    }
    return this.keys;
  }

  encrypt(plaintext: string): string {
    const keys = this.keyring();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', keys.get(this.currentId)!, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [PREFIX, this.currentId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join(':');
  }

  /** The plaintext, or undefined when the value was made with a key this box no longer has (or was tampered with). */
  decrypt(stored: string): string | undefined {
    const [prefix, id, iv, tag, body] = stored.split(':');
    const key = id ? this.keyring().get(id) : undefined;
    if (prefix !== PREFIX || !key || !iv || !tag || body === undefined) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

const keyId = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 8);

function parseKey(text: string, variable: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw RuntimeErrors.INVALID_PARAMS.create({ problem: `${variable} must be 32 random bytes, base64 or hex (e.g. openssl rand -base64 32).` }, { variable });
  }
  return key;
}

function keyFile(dataDir: string): Buffer {
  const file = join(dataDir, KEY_FILE);
  if (existsSync(file)) return parseKey(readFileSync(file, 'utf8'), file);
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}
