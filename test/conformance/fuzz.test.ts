// Bounded decoder fuzzing as a test. Builds the codec with -DNNVVC_FUZZ=ON (codec/fuzz/CMakeLists.fuzz.cmake; library
// compiled with sanitizers, build trees codec/fuzz/build/{clang,gcc}) and runs:
//   - libFuzzer target nnvvc_fuzz_decoder for FUZZ_SECONDS (default 60) when clang++ can link -fsanitize=fuzzer;
//   - otherwise (or with FUZZ_DRIVER=mutate|both) the g++ ASan/UBSan mutation driver for FUZZ_MUTATIONS (default 3000).
// Also replays every file in codec/fuzz/crashes/ (known reproducers) - they must decode (or be rejected) cleanly.
// Env: FUZZ_CXX (clang++ path), FUZZ_SECONDS, FUZZ_MUTATIONS, FUZZ_SEED, FUZZ_DRIVER (libfuzzer|mutate|both).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeExit, repoRoot, runProcess } from './lib.js';

const fuzzDir = path.join(repoRoot, 'codec', 'fuzz');
const corpusDir = path.join(fuzzDir, 'corpus');
const crashesDir = path.join(fuzzDir, 'crashes');
const outDir = path.join(repoRoot, 'test-output', 'fuzz');
const FUZZ_SECONDS = Number(process.env.FUZZ_SECONDS ?? 60);
const FUZZ_MUTATIONS = Number(process.env.FUZZ_MUTATIONS ?? 3000);
const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 1);

function tail(s: string, n = 3000): string {
  return s.length > n ? '…' + s.slice(-n) : s;
}

/** Returns a clang++ that links a libFuzzer target, or undefined. */
async function findLibFuzzerCompiler(): Promise<string | undefined> {
  const candidates = [process.env.FUZZ_CXX, 'clang++', 'clang++-16', 'clang++-15', 'clang++-14'].filter(Boolean) as string[];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnvvc-fuzzcheck-'));
  try {
    const src = path.join(dir, 'probe.cpp');
    writeFileSync(src, '#include <cstdint>\n#include <cstddef>\nextern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }\n');
    for (const cxx of candidates) {
      const r = await runProcess(cxx, ['-fsanitize=fuzzer,address,undefined', src, '-o', path.join(dir, 'probe')], { timeoutMs: 120_000 });
      if (r.code === 0) return cxx;
    }
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function buildFuzz(cxx: string, flavour: 'clang' | 'gcc', target: string): Promise<string> {
  assert.ok(existsSync(path.join(repoRoot, 'codec', 'CMakeLists.txt')), 'codec/CMakeLists.txt missing: the codec library does not exist yet');
  const buildDir = path.join(fuzzDir, 'build', flavour);
  // The codec's CMakeLists includes codec/fuzz/CMakeLists.fuzz.cmake; NNVVC_FUZZ=ON compiles the library with
  // sanitizers, so this is a separate build tree from codec/build.
  const conf = await runProcess('cmake', ['-S', path.join(repoRoot, 'codec'), '-B', buildDir, '-DNNVVC_FUZZ=ON',
    '-DCMAKE_BUILD_TYPE=RelWithDebInfo', `-DCMAKE_CXX_COMPILER=${cxx}`], { timeoutMs: 300_000 });
  assert.equal(conf.code, 0, `cmake configure (${flavour}) failed: ${tail(conf.stdout + conf.stderr)}`);
  const build = await runProcess('cmake', ['--build', buildDir, '-j2', '--target', target], { timeoutMs: 1_800_000 });
  assert.equal(build.code, 0, `build of ${target} (${flavour}) failed: ${tail(build.stdout + build.stderr)}`);
  const bin = path.join(buildDir, target);
  assert.ok(existsSync(bin), `${bin} was not produced`);
  return bin;
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => !f.startsWith('.') && !f.endsWith('.md')).map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile());
}

test('decoder fuzzing (sanitizers): no crash, hang or runaway memory on arbitrary bytes', { timeout: 45 * 60_000 }, async (t) => {
  assert.ok(listFiles(corpusDir).length > 0, `seed corpus ${corpusDir} is empty`);
  const clang = await findLibFuzzerCompiler();
  const mode = clang ? (process.env.FUZZ_DRIVER ?? 'libfuzzer') : 'mutate';
  if (!clang) {
    console.log('\n*** SKIPPED: libFuzzer run — no clang++ that links -fsanitize=fuzzer (apt-get install clang); using the g++ mutation driver ***\n');
  }
  mkdirSync(outDir, { recursive: true });
  const crashes = listFiles(crashesDir);

  if (clang && (mode === 'libfuzzer' || mode === 'both')) {
    await t.test(`libFuzzer nnvvc_fuzz_decoder, ${FUZZ_SECONDS} s`, async () => {
      const bin = await buildFuzz(clang, 'clang', 'nnvvc_fuzz_decoder');
      const work = path.join(outDir, 'corpus'); // new units go here, never into the committed seed corpus
      const artifacts = path.join(outDir, 'artifacts') + path.sep;
      mkdirSync(work, { recursive: true });
      rmSync(artifacts, { recursive: true, force: true });
      mkdirSync(artifacts, { recursive: true });
      if (crashes.length) {
        const r = await runProcess(bin, ['-rss_limit_mb=1024', '-timeout=10', ...crashes], { timeoutMs: 120_000 });
        assert.equal(r.code, 0, `known reproducers in codec/fuzz/crashes still fail (${describeExit(r)}):\n${tail(r.stderr)}`);
      }
      const r = await runProcess(bin, [work, corpusDir, `-max_total_time=${FUZZ_SECONDS}`, '-rss_limit_mb=1024', '-timeout=5',
        '-max_len=65536', `-seed=${FUZZ_SEED}`, `-artifact_prefix=${artifacts}`, '-print_final_stats=1'],
      { timeoutMs: (FUZZ_SECONDS + 120) * 1000 });
      const execs = r.stderr.match(/stat::number_of_executed_units:\s*(\d+)/)?.[1];
      const found = listFiles(artifacts);
      console.log(`fuzz: libFuzzer ${execs ?? '?'} execs in ${FUZZ_SECONDS} s, ${found.length} crash/timeout/oom artifacts`);
      assert.ok(found.length === 0 && r.code === 0,
        `fuzzer found a problem (${describeExit(r)}); reproducers: ${found.join(', ') || 'none written'}\n${tail(r.stderr)}`);
    });
  }

  if (mode === 'mutate' || mode === 'both') {
    await t.test(`g++ ASan/UBSan mutation driver, ${FUZZ_MUTATIONS} mutations`, async () => {
      const bin = await buildFuzz('g++', 'gcc', 'nnvvc_mutate_driver');
      const crashOut = path.join(outDir, 'mutate-crashes');
      rmSync(crashOut, { recursive: true, force: true });
      if (crashes.length) {
        const r = await runProcess(bin, ['-n', '0', '-crash_dir', crashOut, ...crashes], { timeoutMs: 120_000 });
        assert.equal(r.code, 0, `known reproducers in codec/fuzz/crashes still fail (${describeExit(r)}):\n${tail(r.stderr)}`);
      }
      const r = await runProcess(bin, ['-n', String(FUZZ_MUTATIONS), '-seed', String(FUZZ_SEED), '-timeout', '10',
        '-max_len', '65536', '-crash_dir', crashOut, corpusDir], { timeoutMs: 900_000 });
      console.log(`fuzz: ${r.stdout.trim() || `mutation driver ${describeExit(r)}`}`);
      assert.equal(r.code, 0, `mutation driver found a problem (${describeExit(r)}); reproducers in ${crashOut}:\n${tail(r.stderr)}`);
    });
  }
});
