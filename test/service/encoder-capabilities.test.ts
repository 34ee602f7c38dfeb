// What the API accepts depends on what nnvvc-enc can do: its presets (a constant compared here with the real
// binary's --help) and its configs (`nnvvc-enc --list-configs`; a binary without that option is all-intra only).
// An unsupported config is refused at submission; a supported "ra" job runs with --intra-period passed through;
// an encoder usage error (exit 2) fails the job at once with the encoder's own message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { NNVVC_PRESETS, nnvvcConfigs } from '../../src/worker/encoders.js';
import { FAKE_ENC, REPO, json, startStack, submit, syntheticYuv, upload, waitForState, wrapper, type Stack } from './helpers.js';

const REAL_ENC = path.join(REPO, 'codec/build/nnvvc-enc');
const W = 64, H = 48;

let s: Stack;
let raEnc: string;
let argsLog: string;
let seqId: string;

before(async () => {
  s = await startStack({ worker: false });
  argsLog = path.join(s.tmp, 'enc-args.log');
  raEnc = await wrapper(s.tmp, 'ra-enc.sh', FAKE_ENC, { FAKE_ENC_CONFIGS: 'ai,ra', FAKE_ENC_ARGS_LOG: argsLog });
  const res = await upload(s.base, syntheticYuv(W, H, 2), { width: W, height: H, fps: 30 });
  assert.equal(res.status, 201);
  seqId = (await json(res)).id;
});
after(async () => { await s?.close(); });

test('NNVVC_PRESETS is the preset list of the built nnvvc-enc --help', { skip: existsSync(REAL_ENC) ? false : `SKIPPED: ${REAL_ENC} not built (npm run build:codec)` }, () => {
  const help = execFileSync(REAL_ENC, ['--help'], { encoding: 'utf8' });
  const listed = /--preset P\s+search preset \(([^)]*)\)/.exec(help);
  assert.ok(listed, `no "--preset P ... (a|b|...)" line in:\n${help}`);
  assert.deepEqual(listed[1].split('|'), [...NNVVC_PRESETS]);
});

test('nnvvcConfigs: what --list-configs prints; "ai" for a binary without it or a missing file', async () => {
  assert.deepEqual(await nnvvcConfigs(raEnc), ['ai', 'ra']);
  assert.deepEqual(await nnvvcConfigs(await wrapper(s.tmp, 'old-enc.sh', FAKE_ENC, { FAKE_ENC_CONFIGS: 'none' })), ['ai']);
  assert.deepEqual(await nnvvcConfigs(FAKE_ENC), ['ai']);
  assert.deepEqual(await nnvvcConfigs('/nonexistent/nnvvc-enc'), ['ai']);
  if (existsSync(REAL_ENC)) assert.ok((await nnvvcConfigs(REAL_ENC)).includes('ai'));
});

test('GET /v1/encoders: configs, default config and presets of each encoder', async () => {
  const { items } = await json(await fetch(`${s.base}/v1/encoders`));
  const ours = items.find((e: { name: string }) => e.name === 'nnvvc');
  assert.deepEqual([ours.available, ours.configs, ours.defaultConfig, ours.presets, ours.defaultPreset], [true, ['ai'], 'ai', [...NNVVC_PRESETS], 'medium']);
  const vtm = items.find((e: { name: string }) => e.name === 'vtm');
  assert.deepEqual([vtm.available, vtm.configs, vtm.defaultConfig], [false, ['ai', 'ra'], 'ra']);
});

test('an encoder that lists "ra": ra jobs are accepted, --intra-period and --gop-size passed only when given', async () => {
  const s2 = await startStack({ env: { NNVVC_ENC: raEnc } });
  try {
    const { items } = await json(await fetch(`${s2.base}/v1/encoders`));
    assert.deepEqual(items[0].configs, ['ai', 'ra']);
    assert.equal(items[0].defaultConfig, 'ra');
    const seq = await json(await upload(s2.base, syntheticYuv(W, H, 2), { width: W, height: H, fps: 30 }));
    const res = await submit(s2.base, { sequenceId: seq.id, config: 'ra', qps: [32], intraPeriod: 32, preset: 'trivial' });
    assert.equal(res.status, 201, await res.clone().text());
    assert.equal((await waitForState(s2.base, (await json(res)).id, ['completed', 'failed'])).state, 'completed');
    const res2 = await submit(s2.base, { sequenceId: seq.id, config: 'ra', qps: [37], preset: 'trivial' });
    assert.equal((await waitForState(s2.base, (await json(res2)).id, ['completed', 'failed'])).state, 'completed');
    const res3 = await submit(s2.base, { sequenceId: seq.id, config: 'ra', qps: [27], gopSize: 16, intraPeriod: 16, preset: 'trivial' });
    assert.equal((await waitForState(s2.base, (await json(res3)).id, ['completed', 'failed'])).state, 'completed');
    const runs = (await readFile(argsLog, 'utf8')).trim().split('\n');
    assert.equal(runs.length, 3);
    assert.match(runs[0], /--qp 32 --config ra .*--intra-period 32/);
    assert.doesNotMatch(runs[1], /--intra-period/);
    assert.ok(runs.slice(0, 2).every((r) => !r.includes('--gop-size')));
    assert.match(runs[2], /--qp 27 --config ra .*--gop-size 16 --intra-period 16/);
  } finally {
    await s2.close();
  }
});

test('an encoder usage error (exit 2) fails the job on the first attempt with the encoder\'s own message', async () => {
  const refusing = await wrapper(s.tmp, 'usage-enc.sh', FAKE_ENC, { FAKE_ENC_USAGE_ERROR: "--qp 32: not allowed with preset 'x'" });
  const w = await s.startWorker({ nnvvcEnc: refusing });
  try {
    const { id } = await json(await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [32], preset: 'trivial' }));
    const v = await waitForState(s.base, id, ['completed', 'failed']);
    assert.equal(v.state, 'failed');
    assert.equal(v.attempts, 1, 'usage errors are not retried (JOB_ATTEMPTS=2 in tests)');
    assert.match(v.error, /nnvvc-enc refused the job: fake-encoder: error: --qp 32: not allowed with preset 'x'/);
  } finally {
    await w.close(500);
  }
});
