import { describe, expect, test } from '@jest/globals';
import { Code, codesOf, declaredCodes, defineCodes, definitionOf, RuntimeCodes, RuntimeErrors, statusFor } from '../../../runtime/errcode.js';

// A catalogue of this test's own, in a range nothing else uses.
const TestErrors = defineCodes('test.catalogue', {
  NOT_THERE: { code: 91001, status: 404, message: 'No "{what}" in {where}.' },
  BUSY: { code: 91002, status: 409, message: 'Busy.' },
});
const TestCodes = codesOf(TestErrors);

describe('declaring Codes', () => {
  test('a definition holds number, name, status and template; create fills the template', () => {
    expect(TestErrors.NOT_THERE).toMatchObject({ namespace: 'test.catalogue', name: 'NOT_THERE', code: 91001, status: 404 });
    const error = TestErrors.NOT_THERE.create({ what: 'x', where: 'y' }, { key: 1 });
    expect(error).toBeInstanceOf(Code);
    expect(error.toJSON()).toEqual({ code: 91001, message: 'No "x" in y.', details: { key: 1 } });
    expect(TestErrors.BUSY.create({}).toJSON()).toEqual({ code: 91002, message: 'Busy.' });
    expect(TestErrors.NOT_THERE.format({ what: 1, where: 'z' })).toBe('No "1" in z.');
  });

  test('the numbers alone, for err.code === X.NAME comparisons', () => {
    expect(TestCodes).toEqual({ NOT_THERE: 91001, BUSY: 91002 });
    const error = RuntimeErrors.BUSY.create({ problem: 'later' });
    expect(Code.is(error) && error.code === RuntimeCodes.BUSY).toBe(true);
  });

  test('message parameters are typed from the template', () => {
    // @ts-expect-error `where` is missing
    TestErrors.NOT_THERE.create({ what: 'x' });
    // @ts-expect-error `extra` is not a placeholder of the template
    TestErrors.NOT_THERE.create({ what: 'x', where: 'y', extra: 1 });
    const literal: 91001 = TestCodes.NOT_THERE;
    expect(literal).toBe(91001);
  });

  test('the registry gives the HTTP status of any declared Code; an undeclared number is 400', () => {
    expect(statusFor(TestCodes.NOT_THERE)).toBe(404);
    expect(statusFor(RuntimeCodes.ELEMENT_QUARANTINED)).toBe(503);
    expect(statusFor(99999)).toBe(400);
    expect(definitionOf(TestCodes.BUSY)).toBe(TestErrors.BUSY);
    expect(declaredCodes().map((d) => d.code)).toEqual(expect.arrayContaining([RuntimeCodes.ELEMENT_NOT_FOUND, TestCodes.NOT_THERE]));
  });

  test('a number is declared once: another name or namespace for it is refused; the same declaration loaded again is not', () => {
    expect(() => defineCodes('test.other', { TAKEN: { code: 91001, status: 400, message: 'x' } })).toThrow(/Code 91001 is declared twice: test.catalogue NOT_THERE and test.other TAKEN/);
    expect(() => defineCodes('test.catalogue', { TWICE: { code: 91002, status: 400, message: 'x' } })).toThrow(/declared twice/);
    expect(() => defineCodes('test.catalogue', { NOT_THERE: { code: 91001, status: 404, message: 'No "{what}" in {where}.' } })).not.toThrow();
    expect(() => defineCodes('test.same', { A: { code: 91010, status: 400, message: 'a' }, B: { code: 91010, status: 400, message: 'b' } })).toThrow(/declared twice/);
  });

  test('a catalogue lists a definition it shares without declaring it again', () => {
    const Shared = defineCodes('test.shared', { BUSY: TestErrors.BUSY });
    expect(Shared.BUSY).toBe(TestErrors.BUSY);
    expect(definitionOf(TestCodes.BUSY)?.namespace).toBe('test.catalogue');
  });

  test('a status outside 400–599 is refused', () => {
    expect(() => defineCodes('test.bad', { OK: { code: 91020, status: 200, message: 'fine' } })).toThrow(/HTTP error status/);
  });
});
