// The split predictor's training side (models/train.py): its cost-aware node labels and the proxy that compares models
// without an encode (models/tests/test_node_costs.py, Python unittest), where /usr/bin/python3 has torch
// (Debian's python3-torch; skipped, saying so, elsewhere).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PY = '/usr/bin/python3';
const haveTorch = spawnSync(PY, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
const skip = haveTorch ? false : `${PY} without torch (apt-get install python3-torch python3-numpy)`;
if (skip) console.log(`SKIPPED: models/tests (train.py node costs and proxy): ${skip}`);

test('train.py: node cost maps, the cost-aware node loss, the work / regret proxy and the split-direction labels (Python unittest)', { skip }, async () => {
  const { stdout, stderr } = await run(PY, ['-m', 'unittest', 'discover', '-s', 'models/tests', '-v'], {
    cwd: REPO, env: { ...process.env, OMP_NUM_THREADS: '1' }, timeout: 120_000,
  });
  const out = stdout + stderr;
  assert.match(out, /Ran [1-9]\d* tests?/, out);
  assert.match(out, /\nOK\b/, out);
});
