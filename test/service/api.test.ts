// Bad input gets a clear 4xx with {error, message}; health, readiness, metrics, docs and UIs are served.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { json, startStack, submit, syntheticYuv, upload, waitForState, type Stack } from './helpers.js';

let s: Stack;
let seqId: string;
const W = 64, H = 48, FRAME = W * H * 3 / 2;

before(async () => {
  s = await startStack({ cfg: { maxUploadBytes: 200_000 } });
  const res = await upload(s.base, syntheticYuv(W, H, 3), { width: W, height: H, fps: 25 });
  assert.equal(res.status, 201);
  seqId = (await json(res)).id;
});
after(async () => { await s?.close(); });

function expectError(body: any, code: string, message?: RegExp) {
  assert.equal(body.error, code, JSON.stringify(body));
  assert.equal(typeof body.message, 'string');
  if (message) assert.match(body.message, message);
}

test('raw upload that is not a whole number of frames: 400 with the numbers', async () => {
  const res = await upload(s.base, syntheticYuv(W, H, 2).subarray(0, 2 * FRAME - 100), { width: W, height: H, fps: 25 });
  assert.equal(res.status, 400);
  const b = await json(res);
  expectError(b, 'not_whole_frames', /body has 9116 bytes.*4608 bytes each.*1 frames \+ 4508 extra bytes/);
  assert.deepEqual({ ...b.details }, { bytes: 9116, frameBytes: 4608, wholeFrames: 1, remainderBytes: 4508, width: W, height: H, bitDepth: 8 });
  // wrong size given for a correct file: 3 frames of 64x48 are not whole frames of 64x64
  const res2 = await upload(s.base, syntheticYuv(W, H, 3), { width: 64, height: 64, fps: 25 });
  assert.equal(res2.status, 400);
  expectError(await json(res2), 'not_whole_frames');
  // nothing left behind
  const list = await json(await fetch(`${s.base}/v1/sequences`));
  assert.equal(list.items.length, 1);
});

test('raw upload parameter errors', async () => {
  const cases: [Record<string, string | number>, string, RegExp][] = [
    [{}, 'missing_dimensions', /width=&height=&fps=/],
    [{ width: 63, height: 48, fps: 25 }, 'bad_dimensions', /width=63.*odd/],
    [{ width: 64, height: 48, bitDepth: 12, fps: 25 }, 'unsupported_bit_depth', /unsupported bit depth 12/],
    [{ width: 64, height: 48, fps: 0 }, 'bad_fps', /fps=0/],
    [{ width: 64, height: 48 }, 'missing_fps', /needs the frame rate: add \?fps=/],
    [{ width: 'abc', height: 48, fps: 25 }, 'bad_request', /width/],
  ];
  for (const [q, code, msg] of cases) {
    const res = await upload(s.base, syntheticYuv(W, H, 1), q);
    assert.equal(res.status, 400, JSON.stringify(q));
    expectError(await json(res), code, msg);
  }
  const empty = await upload(s.base, new Uint8Array(0), { width: W, height: H, fps: 25 });
  assert.equal(empty.status, 400);
  expectError(await json(empty), 'empty_body');
});

function y4m(header: string, frames: Buffer[], frameHeader = 'FRAME\n'): Buffer {
  return Buffer.concat([Buffer.from(`YUV4MPEG2 ${header}\n`), ...frames.flatMap((f) => [Buffer.from(frameHeader), f])]);
}

test('y4m upload: header parsed, frames converted to raw, hash of raw frames', async () => {
  const raw = syntheticYuv(W, H, 2);
  const frames = [raw.subarray(0, FRAME), raw.subarray(FRAME)];
  const res = await upload(s.base, y4m(`W${W} H${H} F50:1 Ip A1:1 C420jpeg XYSCSS=420JPEG`, frames, 'FRAME Ixyz\n'), {});
  assert.equal(res.status, 201, await res.clone().text());
  const m = await json(res);
  assert.deepEqual([m.width, m.height, m.bitDepth, m.fps, m.frames, m.sourceFormat], [W, H, 8, 50, 2, 'y4m']);
  assert.equal(m.sha256, createHash('sha256').update(raw).digest('hex'));
  // 10-bit y4m
  const raw10 = syntheticYuv(W, H, 1, 10);
  const m10 = await json(await upload(s.base, y4m(`W${W} H${H} F30000:1001 C420p10`, [raw10]), {}));
  assert.deepEqual([m10.bitDepth, m10.fps, m10.frames], [10, 29.97, 1]);
  await fetch(`${s.base}/v1/sequences/${m.id}`, { method: 'DELETE' });
  await fetch(`${s.base}/v1/sequences/${m10.id}`, { method: 'DELETE' });
});

test('y4m errors: unsupported chroma and bit depth, truncated frame, bad frame marker', async () => {
  const f = syntheticYuv(W, H, 1);
  const cases: [Buffer, string, RegExp][] = [
    [y4m(`W${W} H${H} F25:1 C422`, [f]), 'unsupported_chroma', /C422: only 4:2:0/],
    [y4m(`W${W} H${H} F25:1 C444p10`, [f]), 'unsupported_chroma', /C444p10/],
    [y4m(`W${W} H${H} F25:1 C420p12`, [Buffer.concat([f, f])]), 'unsupported_bit_depth', /bit depth 12/],
    [y4m(`W${W} H${H} F25:1`, [f, f.subarray(0, 1000)]), 'truncated', /frame 1 has 1000 of 4608 bytes/],
    [y4m(`W${W} H${H} F25:1`, [f], 'FRAMX\n'), 'bad_y4m', /expected "FRAME"/],
    [y4m(`W${W} H${H} F25:1`, [f]), 'dimension_mismatch', /width=32 contradicts/],
    [y4m(`W${W} H${H}`, [f]), 'missing_fps', /no F<num>:<den> frame rate: add \?fps=/],
  ];
  for (const [i, [body, code, msg]] of cases.entries()) {
    const res = await upload(s.base, body, code === 'dimension_mismatch' ? { width: 32 } : {});
    assert.equal(res.status, 400, `case ${i}`);
    expectError(await json(res), code, msg);
  }
});

/** Raw http.request so we can send more than the limit and still read the early answer. */
function rawPost(url: string, body: Buffer, headers: Record<string, string | number> = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...headers } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('oversized uploads: 413 from Content-Length and from counting a chunked body', async () => {
  const big = syntheticYuv(W, H, 50); // 230400 bytes > 200000
  const r1 = await rawPost(`${s.base}/v1/sequences?width=${W}&height=${H}&fps=25`, big);
  assert.equal(r1.status, 413);
  expectError(r1.body, 'too_large', /exceeds MAX_UPLOAD_BYTES=200000/);
  const r2 = await rawPost(`${s.base}/v1/sequences?width=${W}&height=${H}&fps=25`, big, { 'transfer-encoding': 'chunked' });
  assert.equal(r2.status, 413);
  expectError(r2.body, 'too_large');
  assert.equal((await json(await fetch(`${s.base}/v1/sequences`))).items.length, 1);
});

test('unknown ids: 404 with a reason', async () => {
  for (const url of ['/v1/sequences/s_doesnotexist', '/v1/sequences/..%2F..%2Fetc', '/v1/jobs/j_000000000000', '/v1/jobs/nope/artifacts', '/v1/jobs/j_000000000000/events', '/v1/jobs/j_000000000000/report']) {
    const res = await fetch(s.base + url);
    assert.equal(res.status, 404, url);
    const b = await json(res);
    assert.match(b.error, /not_found/, url);
  }
  const del = await fetch(`${s.base}/v1/jobs/j_000000000000`, { method: 'DELETE' });
  assert.equal(del.status, 404);
  expectError(await json(await fetch(`${s.base}/v1/nothing`)), 'not_found', /no route GET \/v1\/nothing/);
});

test('job submission validation: malformed JSON, schema, unknown sequence, frames', async () => {
  const bad = await fetch(`${s.base}/v1/jobs`, { method: 'POST', body: '{"sequenceId": ', headers: { 'content-type': 'application/json' } });
  assert.equal(bad.status, 400);
  assert.match((await json(bad)).message, /JSON/i);
  const cases: [unknown, string, RegExp][] = [
    [{ sequenceId: seqId }, 'bad_request', /config/],
    [{ sequenceId: seqId, config: 'ld' }, 'bad_request', /config/],
    [{ sequenceId: seqId, config: 'ra', qps: [64] }, 'bad_request', /qps/],
    [{ sequenceId: seqId, config: 'ra', qps: [] }, 'bad_request', /qps/],
    [{ sequenceId: seqId, config: 'ra', extra: 1 }, 'bad_request', /additional/],
    [{ sequenceId: seqId, config: 'ra', preset: '../x' }, 'bad_request', /preset/],
    [{ sequenceId: 's_000000000000', config: 'ra' }, 'unknown_sequence', /does not exist/],
    [{ sequenceId: seqId, config: 'ra', frames: 4 }, 'bad_frames', /frames=4 but sequence .* has 3 frames/],
    [{ sequenceId: seqId, config: 'ra', targetKbps: [100], qps: [22] }, 'bad_request', /qps or targetKbps/],
    [{ sequenceId: seqId, config: 'ra', kind: 'anchor' }, 'encoder_unavailable', /VTM_ENCODER_APP/],
    [{ sequenceId: seqId, config: 'ra', encoder: 'vtm' }, 'encoder_unavailable', /VTM_ENCODER_APP/],
    [{ sequenceId: seqId, config: 'ai', preset: 'turbo' }, 'unknown_preset', /preset "turbo" is not a preset of nnvvc-enc; known presets: exhaustive, slow, medium, fast, faster, trivial/],
    [{ sequenceId: seqId, config: 'ai', intraPeriod: 32 }, 'bad_request', /intraPeriod applies to config "ra" only/],
    [{ sequenceId: seqId, config: 'ai', gopSize: 16 }, 'bad_request', /gopSize applies to config "ra" only/],
    [{ sequenceId: seqId, config: 'ra', gopSize: 8 }, 'bad_request', /gopSize/],
    [{ sequenceId: seqId, config: 'ra', intraPeriod: 48 }, 'bad_request', /intraPeriod=48 must be a multiple of the GOP size 32 \(default; gopSize 16 allows multiples of 16\)/],
    [{ sequenceId: seqId, config: 'ra', gopSize: 16, intraPeriod: 40 }, 'bad_request', /intraPeriod=40 must be a multiple of the GOP size 16/],
    // the test encoder (like today's nnvvc-enc) lists only "ai" under --list-configs
    [{ sequenceId: seqId, config: 'ra' }, 'unsupported_config', /config "ra" \(random access\) is not supported by this server's nnvvc-enc, which encodes "ai" \(all intra\); submit config "ai", or encoder "vtm"/],
  ];
  for (const [body, code, msg] of cases) {
    const res = await submit(s.base, body);
    assert.equal(res.status, 400, JSON.stringify(body));
    expectError(await json(res), code, msg);
  }
  const q = await fetch(`${s.base}/v1/jobs?state=bogus`);
  assert.equal(q.status, 400);
});

test('artifact names cannot escape the job folder', async () => {
  const { id } = await json(await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [37], frames: 1 }));
  await waitForState(s.base, id, ['completed']);
  const ok = await fetch(`${s.base}/v1/jobs/${id}/artifacts/report.json`);
  assert.equal(ok.status, 200);
  for (const name of ['..%2F..%2F..%2Fetc%2Fpasswd', '%2E%2E%2Fjob.json', '..', 'logs%2F..%2F..%2Fx', '.hidden', 'logs/../../x', 'a%00b', 'inputs%2F..%2Fjob.json', '%2Fetc%2Fpasswd']) {
    const res = await fetch(`${s.base}/v1/jobs/${id}/artifacts/${name}`);
    assert.ok(res.status === 400 || res.status === 404, `${name}: ${res.status}`);
    const b = await json(res);
    if (res.status === 400) expectError(b, 'bad_artifact_name');
    assert.ok(!JSON.stringify(b).includes('root:'), name);
  }
  const missing = await fetch(`${s.base}/v1/jobs/${id}/artifacts/nothing.266`);
  assert.equal(missing.status, 404);
  expectError(await json(missing), 'artifact_not_found');
  // a sequence with finished jobs can be deleted; an unknown one cannot
  const del = await fetch(`${s.base}/v1/sequences/s_000000000000`, { method: 'DELETE' });
  assert.equal(del.status, 404);
});

test('health, readiness (each check reported), metrics, OpenAPI docs, bull-board, dashboard', async () => {
  assert.deepEqual(await json(await fetch(`${s.base}/healthz`)), { status: 'ok' });
  const ready = await fetch(`${s.base}/readyz`);
  assert.equal(ready.status, 200);
  const r = await json(ready);
  assert.equal(r.checks.redis.ok, true);
  assert.equal(r.checks.binaries.nnvvcEnc.present, true);
  assert.equal(r.checks.binaries.vtmEncoder.present, false);
  const metrics = await fetch(`${s.base}/metrics`);
  assert.match(metrics.headers.get('content-type') ?? '', /text\/plain/);
  assert.match(await metrics.text(), /nnvvc_jobs\{state="waiting"\}/);
  const spec = await json(await fetch(`${s.base}/docs/json`));
  assert.ok(spec.openapi && spec.paths['/v1/jobs'] && spec.paths['/v1/sequences'] && spec.paths['/v1/jobs/{id}/events']);
  assert.equal((await fetch(`${s.base}/docs`)).ok, true);
  assert.equal((await fetch(`${s.base}/queues`)).status, 200);
  assert.equal((await fetch(`${s.base}/dashboard/`)).status, 200);
  const root = await fetch(`${s.base}/`, { redirect: 'manual' });
  assert.equal(root.status, 302);
  assert.equal(root.headers.get('location'), '/dashboard/');
});

test('readiness is 503 and names the cause when no encoder binary exists', async () => {
  const s2 = await startStack({ worker: false, env: { NNVVC_ENC: '/nonexistent/nnvvc-enc' } });
  try {
    const res = await fetch(`${s2.base}/readyz`);
    assert.equal(res.status, 503);
    const b = await json(res);
    assert.equal(b.checks.binaries.nnvvcEnc.present, false);
    assert.match(b.reasons.join(' '), /no encoder binary/);
  } finally {
    await s2.close();
  }
});

test('closing the app ends open SSE streams instead of waiting for their jobs', async () => {
  const own = await startStack({ worker: false }); // no worker: the job stays waiting, its stream stays open
  try {
    const seq = await json(await upload(own.base, syntheticYuv(W, H, 1), { width: W, height: H, fps: 25 }));
    const { id } = await json(await submit(own.base, { sequenceId: seq.id, config: 'ai', qps: [30] }));
    const reader = (await fetch(`${own.base}/v1/jobs/${id}/events`)).body!.getReader();
    assert.match(new TextDecoder().decode((await reader.read()).value), /event: state/);
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      own.app.close().then(() => 'closed'),
      new Promise((r) => { timer = setTimeout(() => r('still open after 5 s'), 5000); }),
    ]);
    clearTimeout(timer);
    assert.equal(outcome, 'closed', `app.close() took ${Date.now() - t0} ms`);
    let ended = false;
    try { while (!(await reader.read()).done); ended = true; } catch { ended = true; }
    assert.ok(ended);
  } finally {
    own.app.server.closeAllConnections(); // so a failure here cannot hang the run
    await own.close();
  }
});
