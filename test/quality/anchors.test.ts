import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { AnchorStore, anchorKey, parseAnchorCsv, validateAnchorPoints } from '../../src/quality/anchors.js';
import { anchorsPlugin } from '../../src/api/plugins/anchors.js';
import { buildReport } from '../../src/quality/report.js';

const SHA = 'b'.repeat(64);
const CSV = 'qp,kbps,psnrY,psnrU,psnrV,encodeSeconds\n22,1000.5,40.1,44,45,12.5\n27,520,37.2,42.1,43,10\n32,260,34.3,40.2,41,8\n37,130,31.4,38.3,39,6\n';

test('CSV import: any column order, ; separator, derived YUV PSNR', () => {
  const p = parseAnchorCsv(CSV);
  assert.equal(p.length, 4);
  assert.deepEqual(p[0], { qp: 22, kbps: 1000.5, psnrY: 40.1, psnrU: 44, psnrV: 45, psnrYuv: (6 * 40.1 + 44 + 45) / 8, encodeSeconds: 12.5 });
  const q = parseAnchorCsv('encodeSeconds;psnrV;psnrU;psnrY;kbps;qp\n6;39;38.3;31.4;130;37\n12.5;45;44;40.1;1000.5;22\n');
  assert.deepEqual(q.map((x) => x.qp), [22, 37]);
});

test('validation names the row and the field', () => {
  assert.throws(() => parseAnchorCsv('qp,kbps,psnrY\n22,1,2\n'), /lacks column\(s\) psnrU, psnrV, encodeSeconds/);
  assert.throws(() => parseAnchorCsv(CSV.replace('520', 'abc')), /row 2: kbps="abc" is not a number/);
  assert.throws(() => parseAnchorCsv(CSV.replace('\n27,', '\n22,')), /qp 22 appears twice/);
  assert.throws(() => parseAnchorCsv(CSV.replace('260', '2600')), /kbps must fall as qp rises/);
  assert.throws(() => validateAnchorPoints([{ qp: 22, kbps: -1, psnrY: 1, psnrU: 1, psnrV: 1, encodeSeconds: 1 }]), /kbps=-1 must be > 0/);
  assert.throws(() => validateAnchorPoints([{ qp: 22.5, kbps: 1, psnrY: 1, psnrU: 1, psnrV: 1, encodeSeconds: 1 }]), /qp=22.5 must be an integer/);
  assert.throws(() => validateAnchorPoints([]), /no rows/);
  assert.throws(() => parseAnchorCsv('qp,kbps,psnrY,psnrU,psnrV,encodeSeconds\n'), /header row and at least one data row/);
});

test('key and store round trip', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-anch-'));
  try {
    assert.equal(anchorKey(SHA, 'ra', 3), `${SHA}.ra.3f`);
    assert.equal(anchorKey(SHA, 'ra', 3, 64), `${SHA}.ra.3f.ip64`);
    assert.throws(() => anchorKey('xyz', 'ra', 3), /64 lowercase hex/);
    const s = new AnchorStore(dir);
    assert.equal(await s.get(anchorKey(SHA, 'ai', 2)), undefined);
    await assert.rejects(s.get('../../etc/passwd'), /malformed/);
    const t = { key: anchorKey(SHA, 'ai', 2), sequence: { sha256: SHA }, config: 'ai' as const, frames: 2, encoder: 'VTM-23.2', source: 'imported' as const, createdAt: 'now', points: parseAnchorCsv(CSV) };
    await s.put(t);
    assert.deepEqual(await s.get(t.key), t);
    assert.equal((await s.list()).length, 1);
  } finally { await rm(dir, { recursive: true, force: true }); }
});

test('findAnchor: a computed RA table of another GOP than the anchor for its intra period is stale; imported ones stand', async () => {
  const { findAnchor } = await import('../../src/quality/anchors.js');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-anch-'));
  try {
    const s = new AnchorStore(dir);
    const base = { sequence: { sha256: SHA }, config: 'ra' as const, frames: 9, encoder: 'VTM-23.2', createdAt: 'now', points: parseAnchorCsv(CSV) };
    // 30 fps: default intra period 32 -> the GOP 32 anchor; a table computed before (no gopSize: GOP 16) is not used
    await s.put({ ...base, key: anchorKey(SHA, 'ra', 9), source: 'computed' });
    assert.equal(await findAnchor(dir, { sha256: SHA, config: 'ra', frames: 9, fps: 30 }), undefined);
    await s.put({ ...base, key: anchorKey(SHA, 'ra', 9), source: 'computed', gopSize: 32 });
    assert.equal((await findAnchor(dir, { sha256: SHA, config: 'ra', frames: 9, fps: 30, intraPeriod: 32 }))?.gopSize, 32);
    // intra period 48 (our GOP 16): VTM's GOP 16 table is the anchor
    await s.put({ ...base, key: anchorKey(SHA, 'ra', 9, 48), source: 'computed', gopSize: 16, intraPeriod: 48 });
    assert.equal((await findAnchor(dir, { sha256: SHA, config: 'ra', frames: 9, fps: 30, intraPeriod: 48 }))?.gopSize, 16);
    await s.put({ ...base, key: anchorKey(SHA, 'ra', 9, 64), source: 'imported', intraPeriod: 64 });
    assert.ok(await findAnchor(dir, { sha256: SHA, config: 'ra', frames: 9, fps: 30, intraPeriod: 64 }));
  } finally { await rm(dir, { recursive: true, force: true }); }
});

test('HTTP: POST /v1/anchors (CSV and JSON), GET list/one, errors, GET /v1/summary', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-anch-'));
  const app = Fastify();
  await app.register(anchorsPlugin, { dataDir: dir });
  try {
    const seqId = 's_abcdefabcdef';
    await mkdir(path.join(dir, 'sequences', seqId), { recursive: true });
    const meta = { id: seqId, name: 'foreman', width: 176, height: 144, bitDepth: 8, fps: 30, frames: 10, bytes: 380160, sha256: SHA, createdAt: 'x', sourceFormat: 'yuv' };
    await writeFile(path.join(dir, 'sequences', seqId, 'meta.json'), JSON.stringify(meta));

    let r = await app.inject({ method: 'POST', url: `/v1/anchors?sequenceId=${seqId}&config=ra&frames=2`, headers: { 'content-type': 'text/csv' }, payload: CSV });
    assert.equal(r.statusCode, 201, r.body);
    const key = `${SHA}.ra.2f`;
    assert.equal(r.json().key, key);
    assert.equal(r.json().sequence.name, 'foreman');

    r = await app.inject({ method: 'POST', url: `/v1/anchors?sequenceId=${seqId}&config=ra&frames=2`, headers: { 'content-type': 'text/csv' }, payload: CSV });
    assert.equal(r.statusCode, 409);
    assert.match(r.json().message, /replace=true/);

    r = await app.inject({ method: 'POST', url: '/v1/anchors', payload: { sha256: SHA, config: 'ai', frames: 3, points: parseAnchorCsv(CSV).map(({ psnrYuv: _, ...p }) => p), machine: { cpu: 'X', cores: 4 } } });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.json().machine.cpu, 'X');

    for (const [payload, re] of [
      [{ sha256: SHA, config: 'xx', frames: 3, points: [] }, /config="xx"/],
      [{ config: 'ra', frames: 3, points: [] }, /give sequenceId or sha256/],
      [{ sha256: SHA, config: 'ra', frames: 0, points: [] }, /frames=0/],
      [{ sha256: SHA, config: 'ra', frames: 2, points: [{ qp: 1 }] }, /row 1: missing kbps/],
      [{ sha256: 'nothex', config: 'ra', frames: 2, points: parseAnchorCsv(CSV) }, /64 lowercase hex/],
      [{ sequenceId: 's_000000000000', config: 'ra', points: [] }, /not found/],
    ] as const) {
      r = await app.inject({ method: 'POST', url: '/v1/anchors', payload });
      assert.ok(r.statusCode >= 400 && r.statusCode < 500, `${r.statusCode} ${r.body}`);
      assert.match(r.json().message, re);
      assert.ok(r.json().error);
    }
    r = await app.inject({ method: 'POST', url: `/v1/anchors?sha256=${SHA}&config=ra&frames=2&replace=true`, headers: { 'content-type': 'text/csv' }, payload: 'qp,kbps\n1,2\n' });
    assert.equal(r.statusCode, 400);

    r = await app.inject({ method: 'GET', url: '/v1/anchors' });
    assert.equal(r.json().items.length, 2);
    r = await app.inject({ method: 'GET', url: `/v1/anchors/${key}` });
    assert.equal(r.json().points.length, 4);
    r = await app.inject({ method: 'GET', url: `/v1/anchors/${SHA}.ai.9f` });
    assert.equal(r.statusCode, 404);
    r = await app.inject({ method: 'GET', url: '/v1/anchors/bad-key' });
    assert.equal(r.statusCode, 400);

    // Summary: two sequences with BD-rates -4 and -8 -> average -6; the older report of seq A is superseded.
    const table = (await app.inject({ method: 'GET', url: `/v1/anchors/${key}` })).json();
    const mk = async (jobId: string, sha: string, scale: number, createdAt: string) => {
      const rep = buildReport({ jobId, createdAt, sequence: { name: sha.slice(0, 1), sha256: sha, width: 176, height: 144, bitDepth: 8, fps: 30 }, frames: 2, config: 'ra', encoder: 'nnvvc-enc',
        machine: { cpu: 'X', cores: 2, os: 'L', hostname: 'h', memGiB: 1 }, anchor: table,
        points: table.points.map((a: { qp: number; kbps: number; psnrY: number; psnrU: number; psnrV: number; psnrYuv: number }) => ({ label: `qp${a.qp}`, qp: a.qp, kbps: a.kbps * scale, bits: 1, encodeSeconds: 1, psnr: { y: a.psnrY, u: a.psnrU, v: a.psnrV, yuv: a.psnrYuv }, decodeOk: true, md5Ok: true, decoders: [] })) });
      await mkdir(path.join(dir, 'jobs', jobId), { recursive: true });
      await writeFile(path.join(dir, 'jobs', jobId, 'report.json'), JSON.stringify(rep));
    };
    await mk('j_old', 'a'.repeat(64), 0.5, '2026-01-01T00:00:00Z');
    await mk('j_a', 'a'.repeat(64), 0.96, '2026-01-02T00:00:00Z');
    await mk('j_b', 'c'.repeat(64), 0.92, '2026-01-02T00:00:00Z');
    r = await app.inject({ method: 'GET', url: '/v1/summary?config=ra' });
    const s = r.json();
    assert.equal(s.items.length, 2);
    assert.equal(s.groups.length, 1);
    assert.equal(s.groups[0].sequences, 2);
    assert.ok(Math.abs(s.groups[0].averageBdRate - -6) < 1e-9, String(s.groups[0].averageBdRate));
    assert.equal((await app.inject({ method: 'GET', url: '/v1/summary?config=ai' })).json().items.length, 0);
  } finally {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('intra period in the key only when it is not the frame-rate default', async () => {
  const { keyIntraPeriod, defaultIntraPeriod, anchorGopSize } = await import('../../src/quality/anchors.js');
  assert.deepEqual([12, 24, 25, 30, 50, 60].map((f) => defaultIntraPeriod(f)), [32, 32, 32, 32, 64, 64]);
  assert.deepEqual([12, 24, 25, 30, 50, 60].map((f) => defaultIntraPeriod(f, 16)), [16, 32, 32, 32, 48, 64]);
  assert.deepEqual([16, 32, 48, 64, 96].map(anchorGopSize), [16, 32, 16, 32, 32]);
  assert.equal(keyIntraPeriod('ra', 30, 32), undefined);
  assert.equal(keyIntraPeriod('ra', 30, 64), 64);
  assert.equal(keyIntraPeriod('ai', 30, 64), undefined);
  assert.equal(keyIntraPeriod('ra', 50, undefined), undefined);
});
