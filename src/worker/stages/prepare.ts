// Stage 1: check the stored sequence against its metadata and cut the frames this job encodes into
// the job folder (inputs/input.yuv), so a job never depends on a sequence being deleted later.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { frameBytes, sequenceInput, type SequenceMeta } from '../../config/layout.js';
import { BadInputError } from '../errors.js';
import { noSpaceCode, StorageFullError, tempPathFor } from '../../storage.js';
import type { StageContext } from '../context.js';

export interface PreparedInput {
  input: string; width: number; height: number; bitDepth: 8 | 10; fps: number; frames: number;
  frameBytes: number; sequence: SequenceMeta;
}

export async function prepare(ctx: StageContext): Promise<PreparedInput> {
  const seq = ctx.data.sequence;
  const src = sequenceInput(ctx.cfg.dataDir, seq.id);
  const fb = frameBytes(seq.width, seq.height, seq.bitDepth);
  let size: number;
  try {
    size = (await stat(src)).size;
  } catch {
    throw new BadInputError(`sequence ${seq.id} input file is missing (was the sequence deleted?)`);
  }
  if (size !== seq.frames * fb) {
    throw new BadInputError(`sequence ${seq.id}: file has ${size} bytes, metadata says ${seq.frames} frames x ${fb} bytes = ${seq.frames * fb}`);
  }
  const frames = ctx.data.request.frames ?? seq.frames;
  if (!Number.isInteger(frames) || frames < 1 || frames > seq.frames) {
    throw new BadInputError(`frames=${frames} but sequence ${seq.id} has ${seq.frames} frames`);
  }
  const inputsDir = path.join(ctx.dir, 'inputs');
  await mkdir(inputsDir, { recursive: true });
  const input = path.join(inputsDir, 'input.yuv');
  // Flow children of one job (possibly on several machines) and the parent all prepare the same file: it is written
  // under a private name and renamed, so whoever finds it in place finds it whole.
  const have = await stat(input).then((st) => st.size, () => -1);
  if (have !== frames * fb) {
    const tmp = tempPathFor(input);
    try {
      await pipeline(createReadStream(src, { start: 0, end: frames * fb - 1 }), createWriteStream(tmp), { signal: ctx.signal });
      await rename(tmp, input);
    } catch (err) {
      await rm(tmp, { force: true });
      const code = noSpaceCode(err);
      if (code) throw new StorageFullError(`the job's input frames (${frames} x ${fb} bytes)`, path.relative(ctx.cfg.dataDir, input), code);
      throw err;
    }
  }
  ctx.log.info({ frames, frameBytes: fb }, 'input prepared');
  return { input, width: seq.width, height: seq.height, bitDepth: seq.bitDepth, fps: seq.fps, frames, frameBytes: fb, sequence: seq };
}
