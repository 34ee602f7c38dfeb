import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchRate } from '../../src/quality/rate-match.js';

// Synthetic encoder: rate halves every `halve` QP, with optional wobble; counts calls.
function model(r0: number, halve = 6, wobble = 0) {
  const calls: number[] = [];
  return { calls, encodeAt: async (qp: number) => { calls.push(qp); return r0 * 2 ** (-(qp - 22) / halve) * (1 + wobble * Math.sin(qp * 1.7)); } };
}

test('lands inside the window at the model QP in one or two encodes', async () => {
  const m = model(4000);
  const target = 4000 * 2 ** (-(30 - 22) / 6); // exactly QP 30
  const r = await matchRate({ targetKbps: target, encodeAt: m.encodeAt, startQp: 32 });
  assert.equal(r.matched, true);
  assert.equal(r.qp, 30);
  assert.ok(m.calls.length <= 2, `calls ${m.calls}`);
  assert.deepEqual(r.trials.map((t) => t.qp), m.calls);
});

test('steeper real curve (halves every 4 QP) with wobble: secant converges within a few encodes', async () => {
  const m = model(8000, 4, 0.03);
  for (const target of [5000, 1234, 300, 77]) {
    m.calls.length = 0;
    const r = await matchRate({ targetKbps: target, encodeAt: m.encodeAt, startQp: 32 });
    assert.equal(r.matched, true, `target ${target}: ${r.reason}`);
    assert.ok(r.kbps >= 0.9 * target && r.kbps <= 1.1 * target);
    assert.ok(m.calls.length <= 5, `target ${target}: ${m.calls.length} encodes`);
    assert.equal(new Set(m.calls).size, m.calls.length, 'never re-encodes a QP');
  }
});

test('integer QP cannot hit a narrow window between two QPs -> matched=false with reason, closest kept', async () => {
  // Rate doubles per QP step: consecutive QPs are 2x apart, so 10% windows between them are unreachable.
  const enc = async (qp: number) => 1000 * 2 ** (-(qp - 30));
  const r = await matchRate({ targetKbps: 1000 * 2 ** -0.5, encodeAt: enc, startQp: 30 });
  assert.equal(r.matched, false);
  assert.match(r.reason!, /no QP step of 1 lands within/);
  assert.ok(r.trials.length <= 3);
  // Fractional QP step reaches it.
  const f = await matchRate({ targetKbps: 1000 * 2 ** -0.5, encodeAt: enc, startQp: 30, qpStep: 0.25 });
  assert.equal(f.matched, true);
  assert.equal(f.qp, 30.5);
});

test('unreachable target (beyond QP range) stops with a reason', async () => {
  const m = model(4000);
  const r = await matchRate({ targetKbps: 1e9, encodeAt: m.encodeAt, startQp: 32, qpMin: 0, qpMax: 63 });
  assert.equal(r.matched, false);
  assert.match(r.reason!, /out of reach|exhausted|after/);
  assert.ok(m.calls.length <= 8);
  assert.equal(r.qp, 0);
});

test('bad arguments', async () => {
  await assert.rejects(matchRate({ targetKbps: 0, encodeAt: async () => 1 }), /targetKbps=0/);
  await assert.rejects(matchRate({ targetKbps: 10, encodeAt: async () => NaN }), /returned kbps=NaN/);
});
