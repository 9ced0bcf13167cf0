import { describe, expect, it } from '@jest/globals';
import { decryptEvent, encryptEvent, signatureMatches, signEvent } from '../../../../../../elements/auths/loginTypes/FSInnerType/events/crypto.js';

// Vectors from Feishu's documentation (feishu-events-and-scopes.md §1.3).
const KEY = 'test key';
const DOC_CIPHERTEXT = 'P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=';

describe('event crypto (Feishu push encryption and signature)', () => {
  it("decrypts Feishu's documented vector", () => {
    expect(decryptEvent(KEY, DOC_CIPHERTEXT)).toBe('hello world');
  });

  it('signs as the documented vector does', () => {
    const body = `{"encrypt":"${DOC_CIPHERTEXT}"}`;
    expect(signEvent(KEY, '1608725989', 'abc123', body)).toBe('cc7196ad09cc004519c0b09df52f212c9026c37f2f8383b846bf55394cdbbeee');
    expect(signatureMatches(KEY, '1608725989', 'abc123', Buffer.from(body), 'cc7196ad09cc004519c0b09df52f212c9026c37f2f8383b846bf55394cdbbeee')).toBe(true);
    expect(signatureMatches(KEY, '1608725989', 'abc124', Buffer.from(body), 'cc7196ad09cc004519c0b09df52f212c9026c37f2f8383b846bf55394cdbbeee')).toBe(false);
    expect(signatureMatches(KEY, '1608725989', 'abc123', Buffer.from(body), 'short')).toBe(false);
  });

  it('round-trips with a fresh IV each time', () => {
    const a = encryptEvent(KEY, '{"challenge":"x"}');
    const b = encryptEvent(KEY, '{"challenge":"x"}');
    expect(a).not.toBe(b);
    expect(decryptEvent(KEY, a)).toBe('{"challenge":"x"}');
  });

  it('refuses a wrong key every time, also when its garbage happens to end in valid padding (once in ~256)', () => {
    for (let i = 0; i < 3000; i++) expect(() => decryptEvent('other key', encryptEvent(KEY, `{"event":${i}}`))).toThrow(/encrypt key/);
  });

  it('refuses a wrong key, truncated or non-base64 ciphertext without echoing it', () => {
    const wire = encryptEvent(KEY, '{"a":1}');
    expect(() => decryptEvent('other key', wire)).toThrow(/encrypt key/);
    expect(() => decryptEvent(KEY, wire.slice(0, 20))).toThrow(/ciphertext/);
    expect(() => decryptEvent(KEY, '%%%not base64%%%')).toThrow(/ciphertext/);
    try {
      decryptEvent(KEY, 'c2VjcmV0LXRoaW5n');
    } catch (err) {
      expect((err as Error).message).not.toContain('c2VjcmV0LXRoaW5n');
    }
  });
});
