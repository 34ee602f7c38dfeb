// The metrics path through the real service with the fake encoder (always runs; Redis on 127.0.0.1:6379):
// a job's measured points imported as an anchor table (POST /v1/anchors), a second identical job compared with
// it (BD-rate 0.00%, rate windows pass, VTM MD5 not judged without VTM), the summary, and a targetKbps job whose
// QP search is recorded in the report.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { foremanFrames, json, startStack, submit, upload, waitForState, type Stack } from '../service/helpers.js';

let s: Stack;
let seqId: string;
let sha: string;

before(async () => {
  s = await startStack();
  const res = await upload(s.base, await foremanFrames(2), { width: 176, height: 144, bitDepth: 8, fps: 30, name: 'foreman' });
  assert.equal(res.status, 201);
  const meta = await json(res);
  seqId = meta.id; sha = meta.sha256;
});
after(async () => { await s?.close(); });

async function runJob(body: object): Promise<any> {
  const res = await submit(s.base, body);
  assert.equal(res.status, 201, await res.clone().text());
  const { id } = await json(res);
  const v = await waitForState(s.base, id, ['completed', 'failed'], 60_000);
  assert.equal(v.state, 'completed', JSON.stringify(v));
  return json(await fetch(`${s.base}/v1/jobs/${id}/report`));
}

test('report without anchor, imported anchor, BD-rate 0.00%, summary, rate matching', async () => {
  const first = await runJob({ sequenceId: seqId, config: 'ai' });
  assert.equal(first.anchor, null);
  assert.equal(first.verdict, null);
  assert.equal(first.rules.find((r: any) => r.id === 'rate-window').pass, null);
  assert.equal(first.ratePoints.length, 4);

  // The anchor's time is 10x ours, so the speed rule holds even when this second encode runs on a loaded machine (it
  // failed at 2x once, with a conformance run beside the CI): only decode-md5 stays unjudged, so the verdict is null.
  const csv = ['qp,kbps,psnrY,psnrU,psnrV,encodeSeconds', ...first.ratePoints.map((p: any) => [p.qp, p.kbps, p.psnr.y, p.psnr.u, p.psnr.v, p.encodeSeconds * 10].join(','))].join('\n');
  const imp = await fetch(`${s.base}/v1/anchors?sequenceId=${seqId}&config=ai`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
  assert.equal(imp.status, 201, await imp.clone().text());
  const table = await json(imp);
  assert.equal(table.key, `${sha}.ai.2f`);

  const second = await runJob({ sequenceId: seqId, config: 'ai' });
  assert.equal(second.anchor.key, table.key);
  assert.equal(second.bdRate.toFixed(2), '0.00');
  const rule = (id: string) => second.rules.find((r: any) => r.id === id);
  assert.equal(rule('rate-window').pass, true);
  assert.equal(rule('rate-extremes').pass, true);
  assert.equal(rule('decode-md5').pass, null, 'no VTM DecoderApp in this stack');
  assert.match(rule('decode-md5').detail, /did not run/);
  assert.equal(second.verdict, null);
  for (const p of second.ratePoints) assert.equal(p.rateRatio, 1);
  const md = await (await fetch(`${s.base}/v1/jobs/${second.jobId}/artifacts/report.md`)).text();
  assert.match(md, /\*\*0\.00%\*\*/);
  assert.equal((await fetch(`${s.base}/v1/jobs/${second.jobId}/artifacts/rd.svg`)).status, 200);

  const sum = await json(await fetch(`${s.base}/v1/summary`));
  assert.equal(sum.items.length, 1);
  assert.equal(sum.items[0].jobId, second.jobId);
  assert.equal(sum.groups[0].averageBdRate.toFixed(2), '0.00');

  // Rate matching between the QP 27 and QP 32 rates of the anchor.
  const target = Math.sqrt(table.points[1].kbps * table.points[2].kbps);
  const rm = await runJob({ sequenceId: seqId, config: 'ai', targetKbps: [target, table.points[0].kbps] });
  assert.equal(rm.ratePoints.length, 2);
  for (const [i, p] of rm.ratePoints.entries()) {
    assert.equal(p.label, `rp${i}`);
    assert.ok(p.rateSearch.trials.length >= 1 && p.rateSearch.trials.length <= 8, JSON.stringify(p.rateSearch));
    const best = p.rateSearch.trials.reduce((b: any, t: any) => (Math.abs(Math.log(t.ratio)) < Math.abs(Math.log(b.ratio)) ? t : b));
    assert.equal(p.qp, best.qp);
    assert.ok(Math.abs(p.kbps - best.kbps) < 1e-9, 'reported rate is the kept trial');
    if (p.rateSearch.matched) assert.ok(p.kbps >= 0.9 * p.targetKbps && p.kbps <= 1.1 * p.targetKbps);
    else assert.ok(p.rateSearch.reason);
  }
  // The second target is the QP 22 anchor rate: the search starts at the anchor's QP 22 and lands at once.
  assert.equal(rm.ratePoints[1].rateSearch.trials[0].qp, 22);
  assert.equal(rm.ratePoints[1].rateSearch.matched, true);
  const arts = (await json(await fetch(`${s.base}/v1/jobs/${rm.jobId}/artifacts`))).items.map((a: any) => a.name);
  assert.ok(arts.includes('rp0.266') && arts.includes('rp1.recon.yuv'), arts.join(','));
  assert.ok(!arts.some((n: string) => /^rp\d\.qp\d+\.266$/.test(n)), 'trial bitstreams other than the kept one are removed');

  // Bad requests are refused with a reason.
  const both = await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [22], targetKbps: [100] });
  assert.equal(both.status, 400);
  assert.match((await json(both)).message, /not both/);
  const anc = await submit(s.base, { sequenceId: seqId, config: 'ai', kind: 'anchor' });
  assert.equal(anc.status, 400);
  assert.match((await json(anc)).message, /VTM_ENCODER_APP/);
});
