// Form validation for the upload and new-job forms (pure; unit-tested in Node).

const INT = /^\s*\d+\s*$/;
const NUM = /^\s*\d+(\.\d+)?\s*$/;

/** Bytes of one raw planar 4:2:0 frame. */
export function frameBytes(width, height, bitDepth) {
  const bps = bitDepth > 8 ? 2 : 1;
  const chroma = Math.ceil(width / 2) * Math.ceil(height / 2);
  return (width * height + 2 * chroma) * bps;
}

/**
 * Client-side checks of the upload form. `fields` are the raw strings from the inputs; `file` is
 * {size, isY4m} or undefined. Returns {errors: {field: message}} with fields name|size|bitDepth|fps|file.
 * y4m files carry their own size, so only raw files get the size/length check.
 */
export function validateUpload(fields, file) {
  const errors = {};
  const name = (fields.name ?? '').trim();
  if (name.length > 200) errors.name = 'Name must be at most 200 characters.';
  const isY4m = !!file?.isY4m;
  let width;
  let height;
  const sizeProblems = [];
  for (const [key, label] of [['width', 'Width'], ['height', 'Height']]) {
    const raw = (fields[key] ?? '').trim();
    if (raw === '' && isY4m) continue;
    if (!INT.test(raw)) sizeProblems.push(`${label} must be a whole number of pixels (got "${raw}").`);
    else {
      const v = Number(raw);
      if (v < 2 || v > 8192) sizeProblems.push(`${label} must be between 2 and 8192 (got ${v}).`);
      else if (v % 2 !== 0) sizeProblems.push(`${label} must be even for 4:2:0 (got ${v}).`);
      else if (key === 'width') width = v; else height = v;
    }
  }
  const bitDepth = Number(fields.bitDepth);
  if (!isY4m && bitDepth !== 8 && bitDepth !== 10) errors.bitDepth = 'Bit depth must be 8 or 10.';
  const fpsRaw = (fields.fps ?? '').trim();
  if (!(fpsRaw === '' && isY4m)) {
    if (!NUM.test(fpsRaw) || !(Number(fpsRaw) > 0) || Number(fpsRaw) > 1000) errors.fps = `Frame rate must be a number above 0 and at most 1000 (got "${fpsRaw}").`;
  }
  if (!file) errors.file = 'Choose a .yuv or .y4m file.';
  else if (!(file.size > 0)) errors.file = 'The file is empty.';
  else if (!isY4m && width && height && !errors.bitDepth) {
    const fb = frameBytes(width, height, bitDepth);
    if (file.size % fb !== 0) {
      sizeProblems.push(
        `File is ${file.size} bytes, which is not a whole number of ${width}x${height} ${bitDepth}-bit 4:2:0 frames ` +
          `(${fb} bytes each; ${(file.size / fb).toFixed(2)} frames).`,
      );
    }
  }
  if (sizeProblems.length) errors.size = sizeProblems.join(' ');
  return { errors, ok: Object.keys(errors).length === 0 };
}

/**
 * Which upload-form field a server 4xx error belongs to: details.field / details.param if the server names it,
 * otherwise the subject of its message. Falls back to 'form' (shown at the top of the form).
 */
const UPLOAD_ERROR_FIELDS = {
  bad_dimensions: 'size', missing_dimensions: 'size', dimension_mismatch: 'size', not_whole_frames: 'size',
  unsupported_bit_depth: 'bitDepth', bad_fps: 'fps',
  empty_body: 'file', no_frames: 'file', bad_y4m: 'file', truncated: 'file', too_large: 'file', unsupported_chroma: 'file',
};

export function fieldForServerError(body) {
  if (body?.error && UPLOAD_ERROR_FIELDS[body.error]) return UPLOAD_ERROR_FIELDS[body.error];
  const d = body?.details;
  // Fastify schema errors carry [{instancePath: '/width', ...}] (or params.missingProperty).
  const schemaPath = Array.isArray(d) ? d.map((e) => `${e?.instancePath ?? ''} ${e?.params?.missingProperty ?? ''}`).join(' ') : undefined;
  const named = (Array.isArray(d) ? schemaPath : d?.field ?? d?.param) ?? body?.field;
  const fromName = (n) => {
    const s = String(n).toLowerCase();
    if (s.includes('width') || s.includes('height') || s.includes('size')) return 'size';
    if (s.includes('bitdepth') || s.includes('bit_depth')) return 'bitDepth';
    if (s.includes('fps')) return 'fps';
    if (s.includes('name')) return 'name';
    if (s.includes('body') || s.includes('file')) return 'file';
    return undefined;
  };
  if (named) {
    const f = fromName(named);
    if (f) return f;
  }
  const msg = `${body?.message ?? ''}`;
  if (/\bwidth\b|\bheight\b|\d+\s*x\s*\d+|frame size|size mismatch|not a (whole|multiple)|multiple of/i.test(msg)) return 'size';
  if (/bit\s*-?depth/i.test(msg)) return 'bitDepth';
  if (/\bfps\b|frame\s*rate/i.test(msg)) return 'fps';
  if (/\bname\b/i.test(msg)) return 'name';
  if (/\bbody\b|\bempty\b|\bfile\b|y4m|bytes/i.test(msg)) return 'file';
  return 'form';
}

/** Parses "22, 27 32;37" into [22,27,32,37]; returns {values} or {error}. */
export function parseNumberList(text, { min, max, integer, label }) {
  const parts = String(text ?? '').split(/[\s,;]+/).filter(Boolean);
  if (parts.length === 0) return { error: `Enter at least one ${label}.` };
  if (parts.length > 16) return { error: `At most 16 ${label} values.` };
  const values = [];
  for (const p of parts) {
    const v = Number(p);
    if (!Number.isFinite(v) || (integer && !Number.isInteger(v))) return { error: `"${p}" is not a${integer ? ' whole' : ''} number.` };
    if (v < min || v > max) return { error: `${label} ${v} is outside ${min}–${max}.` };
    values.push(v);
  }
  if (new Set(values).size !== values.length) return { error: `${label} values must be distinct.` };
  return { values };
}

/** Client-side checks of the start-job form; returns {errors, body} where body is the POST /v1/jobs payload. */
export function validateNewJob(fields) {
  const errors = {};
  const body = {};
  if (!fields.sequenceId) errors.sequenceId = 'Choose a sequence (upload one first if the list is empty).';
  else body.sequenceId = fields.sequenceId;
  // configs: what the chosen encoder supports (GET /v1/encoders); ra and ai when not known.
  const configs = Array.isArray(fields.configs) && fields.configs.length ? fields.configs : ['ra', 'ai'];
  if (!configs.includes(fields.config)) errors.config = configs.length === 1 ? `This encoder supports only ${configs[0]}.` : `Choose ${configs.join(' or ')}.`;
  else body.config = fields.config;
  if (fields.rateMode === 'kbps') {
    const r = parseNumberList(fields.rates, { min: 1, max: 1_000_000, integer: false, label: 'target kbps' });
    if (r.error) errors.rates = r.error; else body.targetKbps = r.values;
  } else {
    const r = parseNumberList(fields.rates, { min: 0, max: 63, integer: true, label: 'QP' });
    if (r.error) errors.rates = r.error; else body.qps = r.values;
  }
  const framesRaw = String(fields.frames ?? '').trim();
  if (framesRaw !== '') {
    if (!INT.test(framesRaw) || Number(framesRaw) < 1) errors.frames = `Frames must be a whole number ≥ 1 (got "${framesRaw}").`;
    else if (fields.maxFrames && Number(framesRaw) > fields.maxFrames) errors.frames = `The sequence has only ${fields.maxFrames} frames.`;
    else body.frames = Number(framesRaw);
  }
  if (fields.encoder) body.encoder = fields.encoder;
  if (fields.preset && fields.encoder !== 'vtm' && fields.kind !== 'anchor') body.preset = fields.preset;
  // segments: random access with our encoder at fixed QPs only (the field is offered only then)
  const segRaw = String(fields.segments ?? '').trim();
  if (segRaw !== '') {
    if (!INT.test(segRaw) || Number(segRaw) < 1 || Number(segRaw) > 1000) errors.segments = `Intra periods per segment must be a whole number from 1 to 1000 (got "${segRaw}").`;
    else if (fields.config !== 'ra' || fields.encoder === 'vtm' || fields.kind === 'anchor' || fields.rateMode === 'kbps') errors.segments = 'Segments need random access, the nnvvc encoder and fixed QPs.';
    else body.segmentIntraPeriods = Number(segRaw);
  }
  if (fields.kind === 'anchor') {
    body.kind = 'anchor';
    if (fields.rateMode === 'kbps') errors.rates = 'Anchor jobs encode at fixed QPs, not at target bitrates.';
  }
  return { errors, body, ok: Object.keys(errors).length === 0 };
}

const JOB_ERROR_FIELDS = { unknown_sequence: 'sequenceId', bad_frames: 'frames', encoder_unavailable: 'encoder', unsupported_config: 'config', unknown_preset: 'preset' };

/** Maps a POST /v1/jobs error to a form field: by error code, schema path, then the message's subject. */
export function jobFieldForServerError(body) {
  if (body?.error && JOB_ERROR_FIELDS[body.error]) return body.error === 'encoder_unavailable' && /kind=anchor/.test(body.message ?? '') ? 'kind' : JOB_ERROR_FIELDS[body.error];
  const d = body?.details;
  const path = Array.isArray(d) ? d.map((e) => `${e?.instancePath ?? ''} ${e?.params?.missingProperty ?? ''}`).join(' ') : String(d?.field ?? '');
  const msg = `${path} ${body?.message ?? ''}`;
  if (/\bencoder\b|VTM_ENCODER_APP/i.test(msg)) return 'encoder';
  if (/\bkind\b/i.test(msg)) return 'kind';
  if (/\bpreset\b/i.test(msg)) return 'preset';
  if (/segmentIntraPeriods/i.test(msg)) return 'segments';
  if (/\bframes?\b/i.test(msg)) return 'frames';
  if (/\bqps?\b|targetKbps|\bkbps\b/i.test(msg)) return 'rates';
  if (/sequence/i.test(msg)) return 'sequenceId';
  if (/\bconfig\b/i.test(msg)) return 'config';
  return 'form';
}
