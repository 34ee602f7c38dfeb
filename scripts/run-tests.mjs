#!/usr/bin/env node
// `npm test`: build the codec if it has sources (incremental), type-check, run the codec unit tests (ctest)
// when a build exists, then every test/**/*.test.ts with Node's test runner (Node 20 has no globs, so the
// files are listed here). Prints one summary line per step; exits non-zero if any step failed.
// Options: --only <dir> (only the test files under dir; no codec build, no ctest); env NNVVC_SKIP_CODEC_BUILD=1 skips the cmake build.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : null;
const results = [];

function step(name, cmd, args, opts = {}) {
  const t0 = Date.now();
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  const ok = r.status === 0;
  results.push({ name, ok, seconds: (Date.now() - t0) / 1000, detail: ok ? '' : r.error ? r.error.message : `exit ${r.status ?? r.signal}` });
  return ok;
}

function skip(name, why) {
  console.log(`\n=== ${name}: SKIPPED (${why})`);
  results.push({ name, ok: true, skipped: why, seconds: 0 });
}

function findTests(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) findTests(p, out);
    else if (e.isFile() && e.name.endsWith('.test.ts')) out.push(path.relative(root, p));
  }
  return out.sort();
}

const hasCodec = existsSync('codec/CMakeLists.txt');
if (!hasCodec) skip('codec build', 'codec/CMakeLists.txt not present');
else if (only) skip('codec build', `--only ${only}`);
else if (process.env.NNVVC_SKIP_CODEC_BUILD === '1') skip('codec build', 'NNVVC_SKIP_CODEC_BUILD=1');
else {
  const configured = existsSync('codec/build/CMakeCache.txt');
  const ok = configured || step('codec configure', 'cmake', ['-S', 'codec', '-B', 'codec/build', '-DCMAKE_BUILD_TYPE=Release']);
  if (ok) step('codec build', 'cmake', ['--build', 'codec/build', '-j2']);
}

step('typecheck', process.execPath, [path.join('node_modules', 'typescript', 'bin', 'tsc'), '--noEmit']);

if (only) {
  skip('codec unit tests (ctest)', `--only ${only}`);
} else if (existsSync('codec/build/CTestTestfile.cmake')) {
  step('codec unit tests (ctest)', 'ctest', ['--test-dir', 'codec/build', '--output-on-failure', '-j2']);
} else {
  skip('codec unit tests (ctest)', 'no codec/build/CTestTestfile.cmake');
}

const files = existsSync('test') ? findTests('test').filter((f) => !only || f.startsWith(only.replace(/\/$/, '') + '/')) : [];
if (files.length === 0) skip('node tests', 'no test/**/*.test.ts files');
else {
  console.log(`test files (${files.length}):\n  ${files.join('\n  ')}`);
  step('node tests', process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files]);
}

console.log('\n=== summary');
for (const r of results) {
  console.log(`${r.skipped ? 'SKIP' : r.ok ? 'PASS' : 'FAIL'}  ${r.name.padEnd(26)} ${r.seconds.toFixed(1).padStart(7)} s  ${r.skipped ?? r.detail ?? ''}`);
}
const failed = results.filter((r) => !r.ok);
console.log(failed.length ? `\n${failed.length} step(s) FAILED` : '\nall steps passed');
process.exit(failed.length ? 1 : 0);
