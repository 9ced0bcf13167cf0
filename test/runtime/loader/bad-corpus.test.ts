import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { cpSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadApp } from '../../../runtime/app.js';
import { runCli } from '../../../runtime/cli/program.js';
import { DiagnosticCatalogue, type DiagnosticCode } from '../../../runtime/diagnostics/catalogue.js';
import type { Diagnostic } from '../../../runtime/diagnostics/diagnostic.js';
import { Code, RuntimeCodes } from '../../../runtime/errcode.js';
import { tempDir } from '../../helpers/fixture.js';

/**
 * The malformed-app corpus: test/fixtures/bad/<case>/ is a complete small app
 * (or, for extends cases, a family of apps) with one thing wrong, and an
 * expect.json saying which diagnostic that must produce. See
 * test/fixtures/bad/README.md for the format.
 *
 * For every case: loadApp never throws; the diagnostic is there with the right
 * file, pointer and element and a hint; the good element next to the broken one
 * still loads; `jit validate` exits 1 and prints it.
 */

const CORPUS = fileURLToPath(new URL('../../fixtures/bad/', import.meta.url));
const PLATFORM = join(CORPUS, '_platform');


interface Expectation {
  /** Folder of the app to load, relative to the case; default the case folder itself. */
  app?: string;
  code: DiagnosticCode;
  /** The file the diagnostic names, relative to the case folder. */
  file: string;
  pointer?: string;
  fullName?: string;
  /** The element named by fullName still loads (warnings, and errors that leave the original in effect). */
  loads?: boolean;
  why: string;
  /** A file the test writes into the temp copy: valid JSON padded with whitespace to `bytes`, or `depth` nested arrays. */
  generate?: { path: string; bytes?: number; depth?: number };
  /** A symlink the test makes in the temp copy; a target starting with @platform/ is inside the corpus platform. */
  symlink?: { path: string; target: string };
  /** A folder the test duplicates in the temp copy (names that differ only in case are awkward to commit). */
  copy?: { from: string; to: string };
}

interface Case {
  name: string;
  expect: Expectation;
}

const cases: Case[] = readdirSync(CORPUS, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
  .map((d) => ({ name: d.name, expect: JSON.parse(readFileSync(join(CORPUS, d.name, 'expect.json'), 'utf8')) as Expectation }))
  .sort((a, b) => a.name.localeCompare(b.name));

/** A temp copy of the case, with its generated files, symlinks and copies made. */
function materialise(c: Case): { root: string; cleanup: () => void } {
  const t = tempDir('jit-bad-'); // marked "type": "module", so the cases' .js modules load as ESM
  const root = join(t.dir, c.name);
  cpSync(join(CORPUS, c.name), root, { recursive: true });
  rmSync(join(root, 'expect.json'));
  const { generate, symlink, copy } = c.expect;
  if (generate) {
    const file = join(root, generate.path);
    if (generate.depth !== undefined) writeFileSync(file, '['.repeat(generate.depth) + ']'.repeat(generate.depth));
    else {
      const text = readFileSync(file, 'utf8');
      writeFileSync(file, text + ' '.repeat(generate.bytes! - Buffer.byteLength(text)));
    }
  }
  if (symlink) {
    const target = symlink.target.startsWith('@platform/') ? join(PLATFORM, symlink.target.slice('@platform/'.length)) : symlink.target;
    rmSync(join(root, symlink.path), { force: true });
    symlinkSync(target, join(root, symlink.path));
  }
  if (copy) cpSync(join(root, copy.from), join(root, copy.to), { recursive: true });
  return { root, cleanup: t.cleanup };
}

/** `jit` against the corpus's own platform layer (things.Meta, things.GreeterType), with an empty environment. */
async function jit(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env: {} }, { platformDir: PLATFORM });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
beforeAll(() => {
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);
});
afterAll(() => {
  process.off('unhandledRejection', onCrash);
  process.off('uncaughtException', onCrash);
});

describe('the malformed-app corpus', () => {
  test('holds at least 60 cases, each expecting a catalogued diagnostic', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    for (const c of cases) {
      expect([c.name, Object.keys(DiagnosticCatalogue)]).toEqual([c.name, expect.arrayContaining([c.expect.code])]);
      expect(c.expect.why.trim()).not.toBe('');
    }
  });

  test('covers every diagnostic a load can produce', () => {
    // RESTART_REQUIRED comes from hot reload, INSTANCE_CREATE_FAILED from getElement, SERVICE_FAILED from serving: none is a load-time diagnostic.
    const loadTime = Object.keys(DiagnosticCatalogue).filter((code) => code !== 'RESTART_REQUIRED' && code !== 'INSTANCE_CREATE_FAILED' && code !== 'SERVICE_FAILED');
    expect(new Set(cases.map((c) => c.expect.code))).toEqual(new Set(loadTime));
  });

  test.each(cases.map((c) => [c.name, c.expect.code, c] as const))('%s → %s', async (_name, _code, c) => {
    const e = c.expect;
    const { root, cleanup } = materialise(c);
    try {
      const appDir = join(root, e.app ?? '');
      const app = await loadApp(appDir, { platformDir: PLATFORM, env: {}, databaseUrl: 'sqlite::memory:' });
      try {
        // Every diagnostic is well-formed data.
        for (const d of app.diagnostics) {
          expect(d).toEqual(expect.objectContaining({ code: expect.any(String), severity: expect.stringMatching(/^(error|warning)$/), message: expect.any(String), hint: expect.any(String) }));
        }
        // The expected one is there, naming the file (absolute), pointer and element.
        const wanted: { -readonly [K in keyof Diagnostic]?: Diagnostic[K] } = { code: e.code, severity: DiagnosticCatalogue[e.code].severity, file: join(root, e.file) };
        if (e.pointer !== undefined) wanted.pointer = e.pointer;
        if (e.fullName !== undefined) wanted.fullName = e.fullName;
        expect(app.diagnostics).toContainEqual(expect.objectContaining(wanted));
        const found = app.diagnostics.find((d) => Object.entries(wanted).every(([k, v]) => d[k as keyof Diagnostic] === v))!;
        expect(found.hint.trim().length).toBeGreaterThan(10);
        expect(found.message.trim()).not.toBe('');

        // The broken element is quarantined (or, for a warning, loads); the good one next to it loads.
        if (e.fullName !== undefined && /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(e.fullName)) {
          if (e.loads ?? found.severity === 'warning') expect(() => app.getElement(e.fullName!)).not.toThrow();
          else expect(() => app.getElement(e.fullName!)).toThrow(expect.objectContaining({ name: 'Code', code: RuntimeCodes.ELEMENT_QUARANTINED }));
        }
        expect(app.getElement<{ config: { greeting: string } }>('greeters.Good').config.greeting).toBe('still here');

        // Whatever is listed is either served or refused with a Code, never another error.
        for (const element of app.listElements()) {
          try {
            app.getElement(element.fullName);
          } catch (err) {
            expect([element.fullName, Code.is(err)]).toEqual([element.fullName, true]);
          }
        }
      } finally {
        await app.close();
      }

      // jit validate says the same: exit 1, the file relative to the app, the code, a hint.
      const r = await jit('validate', appDir);
      expect(r.code).toBe(1);
      const rel = relative(appDir, join(root, e.file));
      const lines = r.err.split('\n');
      expect(lines.filter((l) => l.includes(` ${e.code}`) && l.includes(rel))).not.toEqual([]);
      expect(r.err).toContain('hint: ');
    } finally {
      cleanup();
    }
  });

  test('nothing escaped as an unhandled rejection or exception', () => {
    expect(crashes).toEqual([]);
  });
});
