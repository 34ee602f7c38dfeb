// End to end through real Redis and a real HTTP server: upload -> job -> worker (fake encoder where no real
// one is used) -> artifacts; live progress over SSE; cancel; verification mismatch; retries.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { FAKE_DEC, FAKE_ENC, foremanFrames, json, startStack, submit, upload, waitFor, waitForState, wrapper, type Stack } from './helpers.js';

let s: Stack;
let seqId: string;
let foremanBytes: Buffer;
const FRAME = 176 * 144 * 3 / 2;

before(async () => {
  s = await startStack();
  foremanBytes = await foremanFrames(3);
  const res = await upload(s.base, foremanBytes, { width: 176, height: 144, bitDepth: 8, fps: 30, name: 'foreman' });
  assert.equal(res.status, 201);
  seqId = (await json(res)).id;
});
after(async () => { await s?.close(); });

test('upload stores metadata, frame count and SHA-256 of the frames', async () => {
  const meta = await json(await fetch(`${s.base}/v1/sequences/${seqId}`));
  assert.equal(meta.frames, 3);
  assert.equal(meta.bytes, 3 * FRAME);
  assert.equal(meta.sha256, createHash('sha256').update(foremanBytes).digest('hex'));
  assert.equal(meta.sourceFormat, 'yuv');
  const list = await json(await fetch(`${s.base}/v1/sequences`));
  assert.ok(list.items.some((m: { id: string }) => m.id === seqId));
});

test('job runs all stages, reports progress over SSE and produces artifacts', async () => {
  const res = await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [27, 37], frames: 2 });
  assert.equal(res.status, 201, await res.clone().text());
  const { id } = await json(res);

  // SSE: read until `done`
  const events: { event: string; data: any }[] = [];
  const sse = await fetch(`${s.base}/v1/jobs/${id}/events`);
  assert.equal(sse.status, 200);
  assert.match(sse.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = sse.body!.getReader();
  let buf = '';
  const dec = new TextDecoder();
  const deadline = Date.now() + 30_000;
  while (!events.some((e) => e.event === 'done') && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i); buf = buf.slice(i + 2);
      const ev = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (ev && data) events.push({ event: ev, data: JSON.parse(data) });
    }
  }
  await reader.cancel().catch(() => {});
  const done = events.find((e) => e.event === 'done');
  assert.ok(done, `no done event; got ${events.map((e) => e.event).join(',')}`);
  assert.equal(done.data.state, 'completed', JSON.stringify(done.data));
  assert.ok(events.some((e) => e.event === 'progress' && e.data.stage === 'encode'), 'saw encode progress');

  const view = await json(await fetch(`${s.base}/v1/jobs/${id}`));
  assert.equal(view.state, 'completed');
  assert.equal(view.progress.percent, 100);
  assert.ok(view.startedAt && view.finishedAt);

  const arts = await json(await fetch(`${s.base}/v1/jobs/${id}/artifacts`));
  const names = arts.items.map((a: { name: string }) => a.name);
  for (const n of ['report.json', 'report.md', 'job.json', 'qp27.266', 'qp37.266', 'qp27.recon.yuv', 'qp27.dec.yuv', 'logs/encode-qp27.log']) {
    assert.ok(names.includes(n), `artifact ${n} listed (have ${names.join(', ')})`);
  }
  const types: Record<string, string> = { 'report.json': 'application/json', 'qp27.266': 'application/octet-stream', 'logs/encode-qp27.log': 'text/plain', 'report.md': 'text/markdown' };
  for (const [n, ct] of Object.entries(types)) {
    const r = await fetch(`${s.base}/v1/jobs/${id}/artifacts/${n}`);
    assert.equal(r.status, 200, n);
    assert.ok(r.headers.get('content-type')?.startsWith(ct), `${n}: ${r.headers.get('content-type')}`);
    const body = Buffer.from(await r.arrayBuffer());
    assert.equal(body.length, arts.items.find((a: { name: string }) => a.name === n).bytes);
  }
  const recon = Buffer.from(await (await fetch(`${s.base}/v1/jobs/${id}/artifacts/qp27.recon.yuv`)).arrayBuffer());
  assert.equal(recon.length, 2 * FRAME * 2, 'recon is 2 frames of 10-bit samples');

  const report = await json(await fetch(`${s.base}/v1/jobs/${id}/report`));
  assert.equal(report.jobId, id);
  assert.equal(report.ratePoints.length, 2);
  const [p27, p37] = report.ratePoints;
  assert.ok(p27.kbps > p37.kbps, `higher QP gives fewer bits: ${p27.kbps} vs ${p37.kbps}`);
  assert.ok(p27.psnr.y > p37.psnr.y && p37.psnr.y > 20 && p27.psnr.y < 99, `PSNR plausible: ${p27.psnr.y}, ${p37.psnr.y}`);
  assert.equal(p27.decodeOk, true);
  assert.deepEqual(p27.decoders.filter((d: { ok: boolean | null }) => d.ok !== null).map((d: { name: string }) => d.name), ['nnvvc-dec']);
  // no preset = nnvvc-enc's default 'medium', whose partition search the CNN split predictor prunes
  assert.equal(report.splitPrediction.model, 'splitnet v1');
  assert.equal(report.rules.find((r: { id: string }) => r.id === 'decode-matches-recon').pass, true);

  const listed = await json(await fetch(`${s.base}/v1/jobs?state=completed&sequenceId=${seqId}`));
  assert.ok(listed.items.some((j: { id: string }) => j.id === id));
  const none = await json(await fetch(`${s.base}/v1/jobs?state=failed&sequenceId=${seqId}`));
  assert.ok(!none.items.some((j: { id: string }) => j.id === id));

  const metrics = await (await fetch(`${s.base}/metrics`)).text();
  assert.match(metrics, /nnvvc_http_request_duration_seconds_bucket\{/);
  assert.match(metrics, /nnvvc_jobs\{state="completed"\} [1-9]/);
  assert.match(metrics, /nnvvc_encode_seconds_count [1-9]/);
});

test('a decoder that disagrees with the encoder recon fails the job, with the reason kept', async () => {
  const badDec = await wrapper(s.tmp, 'corrupt-dec.sh', FAKE_DEC, { FAKE_DEC_CORRUPT: '1' });
  await s.worker!.close(500);
  const w = await s.startWorker({ nnvvcDec: badDec });
  try {
    const { id } = await json(await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [32], frames: 1 }));
    const v = await waitForState(s.base, id, ['completed', 'failed']);
    assert.equal(v.state, 'failed');
    assert.match(v.error, /verification failed: qp32: nnvvc-dec: decoded output differs from encoder recon: first difference at byte \d+/);
    assert.equal(v.attempts, 1, 'verification failures are not retried');
    const report = await json(await fetch(`${s.base}/v1/jobs/${id}/report`));
    assert.equal(report.failed, true);
    assert.equal(report.ratePoints[0].decodeOk, false);
    const jobJson = await json(await fetch(`${s.base}/v1/jobs/${id}/artifacts/job.json`));
    assert.equal(jobJson.state, 'failed');
  } finally {
    await w.close(500);
    s.worker = await s.startWorker();
  }
});

test('an encoder crash is retried with backoff, then fails with the exit code in the reason', async () => {
  const crashing = await wrapper(s.tmp, 'crash-enc.sh', FAKE_ENC, { FAKE_ENC_FAIL: '1' });
  await s.worker!.close(500);
  const w = await s.startWorker({ nnvvcEnc: crashing });
  try {
    const { id } = await json(await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [32], frames: 1 }));
    const v = await waitForState(s.base, id, ['completed', 'failed']);
    assert.equal(v.state, 'failed');
    assert.equal(v.attempts, 2, 'JOB_ATTEMPTS=2 in tests');
    assert.match(v.error, /exited with code 3: fake-encoder: simulated crash \(see logs\/encode-qp32.log\)/);
    const log = await (await fetch(`${s.base}/v1/jobs/${id}/artifacts/logs/encode-qp32.log`)).text();
    assert.match(log, /simulated crash/);
  } finally {
    await w.close(500);
    s.worker = await s.startWorker();
  }
});

test('cancel: a waiting job is removed; a running job has its encoder stopped', async () => {
  await s.worker!.close(500);
  s.worker = null;
  const { id: waitingId } = await json(await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [32], frames: 1 }));
  const busy = await fetch(`${s.base}/v1/sequences/${seqId}`, { method: 'DELETE' });
  assert.equal(busy.status, 409, 'a sequence with a waiting job cannot be deleted');
  assert.deepEqual((await json(busy)).details.jobs, [waitingId]);
  const c1 = await fetch(`${s.base}/v1/jobs/${waitingId}`, { method: 'DELETE' });
  assert.equal(c1.status, 202);
  assert.equal((await json(c1)).outcome, 'removed');
  assert.equal((await json(await fetch(`${s.base}/v1/jobs/${waitingId}`))).state, 'cancelled');
  // cancelling it again is refused (409 job_finished); a plain DELETE of a finished job deletes it (job-removal.test.ts)
  assert.equal((await fetch(`${s.base}/v1/jobs/${waitingId}?mode=cancel`, { method: 'DELETE' })).status, 409);

  const slow = await wrapper(s.tmp, 'slow-enc.sh', FAKE_ENC, { FAKE_ENC_DELAY_MS: '1000' });
  const w = await s.startWorker({ nnvvcEnc: slow });
  try {
    const { id } = await json(await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [22, 27, 32], frames: 3 }));
    await waitFor('encode stage', async () => (await json(await fetch(`${s.base}/v1/jobs/${id}`))).progress.stage === 'encode');
    const t0 = Date.now();
    const c2 = await fetch(`${s.base}/v1/jobs/${id}`, { method: 'DELETE' });
    assert.equal(c2.status, 202);
    assert.equal((await json(c2)).outcome, 'signalled');
    const v = await waitForState(s.base, id, ['cancelled', 'failed', 'completed'], 10_000);
    assert.equal(v.state, 'cancelled', JSON.stringify(v));
    assert.ok(Date.now() - t0 < 4000, `cancelled in ${Date.now() - t0} ms (encoder would need 9 s)`);
    const arts = (await json(await fetch(`${s.base}/v1/jobs/${id}/artifacts`))).items.map((a: { name: string }) => a.name);
    assert.ok(!arts.includes('qp32.266'), 'later rate points never ran');
  } finally {
    await w.close(500);
    s.worker = await s.startWorker();
  }
});

test('bad input is not retried: a missing encoder binary fails the job on the first attempt', async () => {
  await s.worker!.close(500);
  const w = await s.startWorker({ nnvvcEnc: '/nonexistent/nnvvc-enc' });
  try {
    const { id } = await json(await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [32], frames: 1 }));
    const v = await waitForState(s.base, id, ['completed', 'failed']);
    assert.equal(v.state, 'failed');
    assert.equal(v.attempts, 1);
    assert.match(v.error, /encoder nnvvc-enc is not available: \/nonexistent\/nnvvc-enc/);
    const report = await json(await fetch(`${s.base}/v1/jobs/${id}/report`));
    assert.deepEqual([report.failed, report.stage], [true, 'encode']);
  } finally {
    await w.close(500);
    s.worker = await s.startWorker();
  }
});

test('logs: request id on every request line, job id on every worker line, no sample data', async () => {
  const lines: string[] = [];
  const s2 = await startStack({ logLines: lines });
  try {
    const up = await upload(s2.base, foremanBytes.subarray(0, FRAME), { width: 176, height: 144, fps: 30, name: 'logcheck' });
    const { id: sid } = await json(up);
    const { id } = await json(await submit(s2.base, { sequenceId: sid, config: 'ai', qps: [37] }));
    await waitForState(s2.base, id, ['completed']);
    await fetch(`${s2.base}/v1/jobs/${id}`, { headers: { 'x-request-id': 'trace-me-123' } });
    const recs = lines.map((l) => JSON.parse(l));
    const http = recs.filter((r) => r.req || r.res);
    assert.ok(http.length >= 6);
    for (const r of http) assert.match(String(r.reqId), /^[0-9a-f]{12}$|^trace-me-123$/, JSON.stringify(r));
    assert.ok(http.some((r) => r.reqId === 'trace-me-123'), 'x-request-id is honoured');
    const jobLines = recs.filter((r) => /job (started|completed)|encod|verified|input prepared|no model yet/.test(r.msg));
    assert.ok(jobLines.length >= 5, `worker lines: ${jobLines.map((r) => r.msg).join(' | ')}`);
    for (const r of jobLines) assert.equal(r.jobId, id, JSON.stringify(r));
    const all = lines.join('\n');
    assert.ok(!all.includes(foremanBytes.subarray(1000, 1032).toString('base64')) && !all.includes(foremanBytes.subarray(1000, 1016).toString('hex')), 'no sample data in logs');
  } finally {
    await s2.close();
  }
});
