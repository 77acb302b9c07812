/**
 * Every citation resolves inside the repository: someone who clones the project can follow each one.
 * A tracked file may not cite the project's out-of-repo inputs (the design notes and the WeCom API
 * notes the work started from) nor a relative path that leaves the repository, and every
 * `docs/….md` it names must exist.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const TEXT = /\.(?:ts|mts|mjs|js|md|json|ya?ml|sh)$/;
const SELF = relative(ROOT, import.meta.filename);
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
  .split('\0')
  // This file is left out: its self-test below writes out what the checks must flag.
  .filter(
    (file) =>
      TEXT.test(file) && file !== 'package-lock.json' && file !== SELF && existsSync(join(ROOT, file)),
  );

const OUT_OF_REPO_INPUTS = new RegExp(
  `(?:\\bshared/docs/|(?<![\\w/.-])(?:${['design', 'wecom-api', 'wecom-callbacks'].join('|')})\\.md\\b|\\bdesign §)`,
);
const RELATIVE_PATH = /(?:\.\.\/)+[\w./-]*\.(?:md|json|ts)\b/g;
const DOCS_PATH = /(?<![\w./-])docs\/[\w/-]+\.md\b/g;
/** A module named by its path from the repository root, e.g. `shared/src/error-mapping.ts`. */
const MODULE_PATH = /(?<![\w./#-])(?:shared|cdk|sandbox|local|scripts|functions|bench)\/[\w/.-]+\.ts\b/g;

/** `file:line: text` for each line of each tracked file that `find` flags. */
function offences(find: (line: string, file: string) => string[]): string[] {
  const found: string[] = [];
  for (const file of tracked) {
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
    lines.forEach((line, index) => {
      for (const hit of find(line, file)) found.push(`${file}:${index + 1}: ${hit}`);
    });
  }
  return found;
}

describe('citations stay inside the repository', () => {
  it('scans the tracked files (the scan itself is not empty)', () => {
    expect(tracked).toContain('docs/architecture.md');
    expect(tracked.length).toBeGreaterThan(100);
  });

  it('no file cites the out-of-repo design or WeCom notes', () => {
    expect(offences((line) => (OUT_OF_REPO_INPUTS.test(line) ? [line.trim()] : []))).toEqual([]);
  });

  it('every relative path stays inside the repository and exists', () => {
    const broken = (line: string, file: string) =>
      [...line.matchAll(RELATIVE_PATH)]
        .map(([path]) => [path, resolve(ROOT, dirname(file), path)] as const)
        .filter(([, target]) => relative(ROOT, target).startsWith('..') || !existsSync(target))
        .map(([path]) => path);
    expect(offences(broken)).toEqual([]);
  });

  it('every docs/….md a file names exists', () => {
    const missing = (line: string) =>
      [...line.matchAll(DOCS_PATH)].map(([path]) => path).filter((path) => !existsSync(join(ROOT, path)));
    expect(offences(missing)).toEqual([]);
  });

  it('every module a doc or a comment names by its path exists (a move updates what cites it)', () => {
    const prose = (line: string, file: string) => file.endsWith('.md') || /^\s*(?:\*|\/\/|\/\*)/.test(line);
    const missing = (line: string, file: string) =>
      prose(line, file)
        ? [...line.matchAll(MODULE_PATH)]
            .map(([path]) => path)
            .filter((path) => !existsSync(join(ROOT, path)))
        : [];
    expect(offences(missing)).toEqual([]);
  });

  it('the checks flag what they are meant to flag', () => {
    // Sample paths are assembled here, so that no line of this file names a document that does not exist.
    const absent = `absent-${process.pid}`;
    expect(OUT_OF_REPO_INPUTS.test(`see ${'design'}.md §5`)).toBe(true);
    expect(OUT_OF_REPO_INPUTS.test(`../shared/${'docs'}/${absent}.md`)).toBe(true);
    expect(OUT_OF_REPO_INPUTS.test('see docs/architecture.md §5')).toBe(false);
    const outside = `../../../${absent}.md`;
    expect([...`a ${outside} b`.matchAll(RELATIVE_PATH)].map(([path]) => path)).toEqual([outside]);
    const missingDoc = `docs/${absent}.md`;
    expect([...`(${missingDoc} §1) ../docs/wecom.md`.matchAll(DOCS_PATH)].map(([p]) => p)).toEqual([
      missingDoc,
    ]);
    expect(existsSync(join(ROOT, missingDoc))).toBe(false);
  });
});
