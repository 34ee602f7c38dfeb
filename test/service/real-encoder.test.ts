// One job through the real codec (codec/build/nnvvc-enc + nnvvc-dec) on a tiny real sequence; VTM's decoder
// also checks the bitstream when VTM_DECODER_APP is set. Skips, loudly, when the codec is not built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FOREMAN, REPO, json, startStack, submit, upload, waitForState } from './helpers.js';

const ENC = process.env.NNVVC_ENC ?? path.join(REPO, 'codec/build/nnvvc-enc');
const DEC = process.env.NNVVC_DEC ?? path.join(REPO, 'codec/build/nnvvc-dec');
const skip = !(existsSync(ENC) && existsSync(DEC)) ? `${ENC} or ${DEC} not built (npm run build:codec)`
  : !existsSync(FOREMAN) ? `${FOREMAN} missing (set SHARED_SEQUENCES)` : false;
if (skip) console.log(`SKIPPED: real-encoder service test: ${skip}`);

test('real nnvvc-enc job on foreman (2 frames, AI): completes, decodes identically, sane PSNR', { skip, timeout: 600_000 }, async () => {
  const vtmDec = process.env.VTM_DECODER_APP ?? '';
  if (!vtmDec) console.log('SKIPPED (part): VTM_DECODER_APP not set: bitstream checked by nnvvc-dec only');
  const s = await startStack({ env: { NNVVC_ENC: ENC, NNVVC_DEC: DEC, VTM_DECODER_APP: vtmDec, JOB_ATTEMPTS: '1' } });
  try {
    const FRAME = 176 * 144 * 3 / 2;
    const up = await upload(s.base, (await readFile(FOREMAN)).subarray(0, 2 * FRAME), { width: 176, height: 144, fps: 30, name: 'foreman' });
    const { id: seqId } = await json(up);
    const { id } = await json(await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [32] }));
    const v = await waitForState(s.base, id, ['completed', 'failed'], 580_000);
    assert.equal(v.state, 'completed', JSON.stringify(v));
    const report = await json(await fetch(`${s.base}/v1/jobs/${id}/report`));
    const p = report.ratePoints[0];
    assert.equal(p.decodeOk, true, JSON.stringify(p.decoders));
    assert.ok(p.psnr.y > 25 && p.psnr.y < 60, `PSNR Y ${p.psnr.y}`);
    assert.ok(p.kbps > 0);
    if (vtmDec) assert.ok(p.decoders.some((d: { name: string; ok: boolean }) => d.name.startsWith('VTM') && d.ok === true), 'VTM decoder agrees');
    console.log(`# real encoder: ${p.kbps.toFixed(1)} kbps, PSNR Y ${p.psnr.y.toFixed(2)} dB, ${p.encodeSeconds.toFixed(2)} s`);
  } finally {
    await s.close();
  }
});
