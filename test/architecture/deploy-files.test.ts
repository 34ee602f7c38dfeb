// The container files ship what the worker runs: the Dockerfile builds and copies every codec binary the service
// calls (nnvvc-enc, nnvvc-dec, and nnvvc-join for jobs cut into segments), and docker-compose.yml has the GPU
// worker profile (the WebGPU execution provider needs the graphics capability of the NVIDIA runtime).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../service/helpers.js';

const dockerfile = readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');
const compose = readFileSync(path.join(REPO, 'docker-compose.yml'), 'utf8');

test('Dockerfile builds and copies every codec binary the worker calls', () => {
  for (const bin of ['nnvvc-enc', 'nnvvc-dec', 'nnvvc-join']) {
    assert.match(dockerfile, new RegExp(`--target[^\\n]*\\b${bin}\\b`), `${bin} built`);
    assert.match(dockerfile, new RegExp(`COPY --from=codec[^\\n]*/${bin}\\b`), `${bin} copied`);
  }
});

test('compose: CPU workers by default, a GPU worker under the gpu profile with the graphics capability', () => {
  assert.match(compose, /\n {2}worker:\n(?: {4}.*\n)*? {4}build: \.\n/, 'the default worker builds the default (CPU) image');
  const gpu = compose.slice(compose.indexOf('\n  worker-gpu:'));
  assert.ok(gpu.length > 20, 'worker-gpu service present');
  assert.match(gpu, /profiles: \["gpu"\]/);
  assert.match(gpu, /target: gpu/);
  assert.match(gpu, /NVIDIA_DRIVER_CAPABILITIES: [^\n]*graphics/);
  assert.match(gpu, /driver: nvidia/);
  assert.match(dockerfile, /FROM app AS gpu\n[\s\S]*libvulkan1/);
  // the last stage, what `docker build .` gives, is the CPU image
  const stages = [...dockerfile.matchAll(/^FROM (.+)$/gm)].map((m) => m[1]);
  assert.equal(stages.at(-1), 'app');
});
