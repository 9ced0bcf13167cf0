import { afterEach, describe, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SecretBox } from '../../../runtime/auth/secret-box.js';
import { tempDir } from '../../helpers/fixture.js';
import { RuntimeCodes } from '../../../runtime/errcode.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
const dataDir = () => {
  const t = tempDir('jit-keys-');
  cleanups.push(t.cleanup);
  return t.dir;
};

describe('SecretBox', () => {
  test('round-trips, with a fresh nonce every time, and never shows the plaintext', () => {
    const box = SecretBox.fromKeys(randomBytes(32));
    const a = box.encrypt('u-token-value');
    const b = box.encrypt('u-token-value');
    expect(a).not.toBe(b);
    expect(a).not.toContain('u-token-value');
    expect(a).toMatch(/^enc1:[0-9a-f]{8}:/);
    expect(box.decrypt(a)).toBe('u-token-value');
  });

  test('a tampered or foreign ciphertext decrypts to nothing', () => {
    const box = SecretBox.fromKeys(randomBytes(32));
    const stored = box.encrypt('secret');
    const parts = stored.split(':');
    parts[4] = Buffer.from('forged').toString('base64url');
    expect(box.decrypt(parts.join(':'))).toBeUndefined();
    expect(SecretBox.fromKeys(randomBytes(32)).decrypt(stored)).toBeUndefined();
    expect(box.decrypt('plain-text-from-an-old-release')).toBeUndefined();
  });

  test('without JIT_SECRET_KEY a key is generated into the data folder with mode 0600, and reused', () => {
    const dir = dataDir();
    const first = SecretBox.fromEnvironment({}, dir);
    const file = join(dir, 'secret.key');
    expect(existsSync(file)).toBe(false); // nothing made until something is encrypted
    first.encrypt('warm up');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
    expect(SecretBox.fromEnvironment({}, dir).decrypt(first.encrypt('x'))).toBe('x');
  });

  test('rotation: the new key encrypts, the previous one still decrypts old values', () => {
    const old = randomBytes(32).toString('base64');
    const fresh = randomBytes(32).toString('hex');
    const before = SecretBox.fromEnvironment({ JIT_SECRET_KEY: old }, dataDir()).encrypt('kept');
    const rotated = SecretBox.fromEnvironment({ JIT_SECRET_KEY: fresh, JIT_SECRET_KEY_PREVIOUS: old }, dataDir());
    expect(rotated.decrypt(before)).toBe('kept');
    const after = rotated.encrypt('new');
    expect(SecretBox.fromEnvironment({ JIT_SECRET_KEY: fresh }, dataDir()).decrypt(after)).toBe('new');
    expect(SecretBox.fromEnvironment({ JIT_SECRET_KEY: fresh }, dataDir()).decrypt(before)).toBeUndefined();
  });

  test('a malformed key is a clear error naming the variable', () => {
    expect(() => SecretBox.fromEnvironment({ JIT_SECRET_KEY: 'too-short' }, dataDir())).toThrow(expect.objectContaining({ code: RuntimeCodes.INVALID_PARAMS, message: expect.stringContaining('JIT_SECRET_KEY') }));
  });
});
