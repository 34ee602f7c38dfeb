// Which onnxruntime execution provider (EP) runs the CNN split predictor: env NNVVC_ONNX_EP.
//   auto (default)  webgpu where onnxruntime-node lists a WebGPU backend AND a session with it can be created
//                   (a GPU adapter exists), else cpu; the reason for cpu is logged once per process and
//                   recorded in every report (splitPrediction.executionProviderNote)
//   webgpu          WebGPU (Dawn over Vulkan, bundled with onnxruntime-node >= 1.22); no adapter -> the
//                   predictSplits stage fails (see split-predictor.ts), it does not fall back silently
//   cpu             onnxruntime's CPU EP, one intra-op thread
//   cuda            accepted only where onnxruntime-node's CUDA EP libraries are installed (a separate download
//                   that `npm ci` skips here: package.json allowScripts)
// No onnxruntime import here: src/config/index.ts validates the value at start-up in every process.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const ONNX_EPS = ['auto', 'webgpu', 'cpu', 'cuda'] as const;
export type OnnxEp = (typeof ONNX_EPS)[number];

/** onnxruntime-node's native folder for this platform (bin/napi-v6/<platform>/<arch>), or undefined if not installed. */
export function onnxBinDir(): string | undefined {
  try {
    const main = createRequire(import.meta.url).resolve('onnxruntime-node');
    return path.join(path.dirname(main), '..', 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return undefined;
  }
}

const CUDA_LIB = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';

/**
 * Whether onnxruntime-node's CUDA EP libraries are installed (listSupportedBackends() names cuda with
 * bundled: false either way; without the library onnxruntime prints its own load error and uses the CPU).
 */
export function cudaProviderInstalled(): boolean {
  const dir = onnxBinDir();
  return !!dir && existsSync(path.join(dir, CUDA_LIB));
}

/** NNVVC_ONNX_EP -> one of ONNX_EPS (unset or empty: auto); throws naming the value and the allowed ones. */
export function parseOnnxEp(raw: string | undefined, cudaInstalled: () => boolean = cudaProviderInstalled): OnnxEp {
  const v = (raw ?? '').trim().toLowerCase();
  if (v === '') return 'auto';
  if (!(ONNX_EPS as readonly string[]).includes(v)) {
    throw new Error(`invalid NNVVC_ONNX_EP=${JSON.stringify(raw)}: expected one of ${ONNX_EPS.join(', ')} (default auto: webgpu where a GPU adapter exists, else cpu)`);
  }
  if (v === 'cuda' && !cudaInstalled()) {
    throw new Error(`invalid NNVVC_ONNX_EP=${JSON.stringify(raw)}: onnxruntime-node's CUDA execution provider is not installed here `
      + `(no ${CUDA_LIB} in ${onnxBinDir() ?? 'onnxruntime-node'}; install it with `
      + '`ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js`), or use one of auto, webgpu, cpu');
  }
  return v as OnnxEp;
}
