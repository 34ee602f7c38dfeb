// Sequence upload (raw .yuv or .y4m streamed as the request body) with client-side checks and the server's
// 4xx message shown next to the field it is about; plus the list of uploaded sequences.
import { api, ApiError } from '../api.js';
import { announce, clear, h } from '../dom.js';
import { fmtBytes, fmtTime } from '../format.js';
import { fieldForServerError, validateUpload } from '../validate.js';

async function isY4mFile(file) {
  if (!file) return false;
  const head = new Uint8Array(await file.slice(0, 10).arrayBuffer());
  return new TextDecoder().decode(head) === 'YUV4MPEG2 ';
}

/** Guesses width/height/fps/bit depth from names like foo_416x240_50fps_8bit_10f.yuv. */
export function guessFromName(name) {
  const out = {};
  const size = /(\d{2,5})x(\d{2,5})/.exec(name);
  if (size) { out.width = size[1]; out.height = size[2]; }
  const fps = /(\d+(?:\.\d+)?)\s*fps/i.exec(name);
  if (fps) out.fps = fps[1];
  const bits = /(8|10)\s*-?bit/i.exec(name);
  if (bits) out.bitDepth = bits[1];
  out.name = name.replace(/\.(yuv|y4m)$/i, '');
  return out;
}

export async function renderUpload(main, query) {
  // ?skipClientChecks=1 sends the form as typed so the server's own validation can be seen (used by the tests).
  const skipClientChecks = query.get('skipClientChecks') === '1';
  const errorEls = {};
  const errorEl = (key) => (errorEls[key] = h('p', { class: 'error', id: `err-${key}`, 'data-testid': `error-${key}` }));
  const input = (id, attrs) => h('input', { id, name: id, type: 'text', ...attrs });

  const file = h('input', { id: 'file', name: 'file', type: 'file', accept: '.yuv,.y4m,video/*', 'aria-describedby': 'err-file hint-file' });
  const name = input('name', { autocomplete: 'off', 'aria-describedby': 'err-name' });
  const width = input('width', { inputmode: 'numeric', 'aria-describedby': 'err-size', autocomplete: 'off' });
  const height = input('height', { inputmode: 'numeric', 'aria-describedby': 'err-size', autocomplete: 'off' });
  const bitDepth = h('select', { id: 'bitDepth', name: 'bitDepth', 'aria-describedby': 'err-bitDepth' },
    h('option', { value: '8' }, '8-bit'), h('option', { value: '10' }, '10-bit (16-bit little-endian samples)'));
  const fps = input('fps', { inputmode: 'decimal', 'aria-describedby': 'err-fps', autocomplete: 'off' });
  const submit = h('button', { type: 'submit' }, 'Upload');
  const formStatus = h('div', { role: 'status', 'data-testid': 'upload-status' });
  const formError = h('p', { class: 'error', role: 'alert', 'data-testid': 'error-form' });
  errorEls.form = formError;
  const fieldsOf = { size: [width, height], name: [name], bitDepth: [bitDepth], fps: [fps], file: [file] };

  file.addEventListener('change', () => {
    const f = file.files?.[0];
    if (!f) return;
    const g = guessFromName(f.name);
    if (!name.value) name.value = g.name ?? '';
    if (!width.value && g.width) width.value = g.width;
    if (!height.value && g.height) height.value = g.height;
    if (!fps.value && g.fps) fps.value = g.fps;
    if (g.bitDepth) bitDepth.value = g.bitDepth;
  });

  const setErrors = (errors) => {
    for (const [key, el] of Object.entries(errorEls)) el.textContent = errors[key] ?? '';
    for (const [key, els] of Object.entries(fieldsOf)) {
      for (const el of els) el.setAttribute('aria-invalid', errors[key] ? 'true' : 'false');
    }
    const first = Object.keys(fieldsOf).find((k) => errors[k]);
    if (first) fieldsOf[first][0].focus();
  };

  const seqList = h('div', { 'data-testid': 'sequence-list' });
  const form = h('form', { novalidate: true, 'data-testid': 'upload-form' },
    formError,
    h('div', { class: 'field' }, h('label', { for: 'file' }, 'Sequence file (.yuv raw 4:2:0 or .y4m)'), file,
      h('p', { class: 'hint', id: 'hint-file' }, 'Size, frame rate and bit depth are guessed from names like foreman_176x144_30fps_8bit.yuv. y4m files carry their own.'),
      errorEl('file')),
    h('div', { class: 'field' }, h('label', { for: 'name' }, 'Name'), name, errorEl('name')),
    h('fieldset', { 'aria-describedby': 'err-size' }, h('legend', {}, 'Frame size (pixels)'),
      h('div', { class: 'size-inputs' },
        h('div', {}, h('label', { for: 'width' }, 'Width'), width),
        h('div', {}, h('label', { for: 'height' }, 'Height'), height)),
      errorEl('size')),
    h('div', { class: 'field' }, h('label', { for: 'bitDepth' }, 'Bit depth'), bitDepth, errorEl('bitDepth')),
    h('div', { class: 'field' }, h('label', { for: 'fps' }, 'Frame rate (fps)'), fps, errorEl('fps')),
    h('div', { class: 'row' }, submit, skipClientChecks ? h('span', { class: 'muted' }, 'Client-side checks are off (server validates).') : null),
    formStatus);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = file.files?.[0];
    const fields = { name: name.value, width: width.value, height: height.value, bitDepth: bitDepth.value, fps: fps.value };
    const isY4m = await isY4mFile(f);
    if (!skipClientChecks) {
      const { errors, ok } = validateUpload(fields, f ? { size: f.size, isY4m } : undefined);
      setErrors(errors);
      if (!ok) { announce('The form has errors.'); return; }
    } else setErrors({});
    const meta = {};
    for (const [k, v] of Object.entries(fields)) if (String(v).trim() !== '') meta[k] = String(v).trim();
    submit.disabled = true;
    formStatus.textContent = `Uploading ${f ? fmtBytes(f.size) : 'nothing'}…`;
    try {
      const seq = await api.uploadSequence(f ?? new Blob([]), meta);
      formStatus.className = 'notice ok';
      clear(formStatus).append(`Uploaded ${seq.name ?? seq.id}: ${seq.width}x${seq.height}, ${seq.bitDepth}-bit, ${seq.frames} frames. `,
        h('a', { href: `#/new?sequence=${encodeURIComponent(seq.id)}`, 'data-testid': 'start-job-link' }, 'Start a job with it'));
      announce(`Uploaded ${seq.name ?? seq.id}`);
      loadSequences();
    } catch (err) {
      formStatus.textContent = '';
      formStatus.className = '';
      if (err instanceof ApiError && err.status >= 400 && err.status < 500) {
        const field = fieldForServerError(err.body);
        setErrors({ [field]: `Server: ${err.message}` });
      } else {
        setErrors({ form: `Upload failed: ${err.message}` });
      }
      announce(`Upload rejected: ${err.message}`);
    } finally {
      submit.disabled = false;
    }
  });

  async function loadSequences() {
    try {
      const { items = [] } = await api.listSequences();
      clear(seqList);
      if (!items.length) { seqList.append(h('p', { class: 'muted' }, 'No sequences uploaded yet.')); return; }
      seqList.append(h('div', { class: 'table-wrap' }, h('table', { class: 'stack' },
        h('thead', {}, h('tr', {}, ['Name', 'Size', 'Bit depth', 'fps', 'Frames', 'Bytes', 'Uploaded', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, items.map((s) => h('tr', { 'data-sequence-id': s.id },
          h('td', { 'data-label': 'Name' }, s.name ?? s.id),
          h('td', { 'data-label': 'Size' }, `${s.width}x${s.height}`),
          h('td', { 'data-label': 'Bit depth', class: 'num' }, s.bitDepth),
          h('td', { 'data-label': 'fps', class: 'num' }, s.fps),
          h('td', { 'data-label': 'Frames', class: 'num' }, s.frames),
          h('td', { 'data-label': 'Bytes', class: 'num' }, fmtBytes(s.bytes)),
          h('td', { 'data-label': 'Uploaded' }, fmtTime(s.createdAt)),
          h('td', { 'data-label': 'Actions' }, h('a', { href: `#/new?sequence=${encodeURIComponent(s.id)}` }, 'Start job'))))))));
    } catch (err) {
      clear(seqList).append(h('p', { class: 'error' }, `Could not load sequences: ${err.message}`));
    }
  }

  main.append(h('h1', {}, 'Sequences'), h('section', { class: 'card', 'aria-labelledby': 'upload-h' },
    h('h2', { id: 'upload-h', style: 'margin-top:0' }, 'Upload a sequence'), form),
  h('section', { 'aria-labelledby': 'seq-h' }, h('h2', { id: 'seq-h' }, 'Uploaded sequences'), seqList));
  loadSequences();
}
