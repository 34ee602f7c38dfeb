// Start-job form: sequence, encoder, configuration, preset, QPs or target bitrates, frames, job kind. The configs
// and presets offered are what the server's encoders support (GET /v1/encoders): random access is offered, and
// the default, only where the encoder can do it.
import { api, ApiError } from '../api.js';
import { announce, h } from '../dom.js';
import { jobFieldForServerError, validateNewJob } from '../validate.js';

export async function renderNewJob(main, query) {
  const [{ items: sequences = [] }, { items: encoderInfo = [] }] = await Promise.all([
    api.listSequences().catch(() => ({ items: [] })),
    api.listEncoders().catch(() => ({ items: [] })),
  ]);
  // Without the server's answer: all intra only, the one config every encoder build supports.
  const infoOf = (name) => encoderInfo.find((e) => e.name === name)
    ?? { name, configs: ['ai'], defaultConfig: 'ai', presets: [], defaultPreset: null };
  const errorEls = {};
  const errorEl = (key) => (errorEls[key] = h('p', { class: 'error', id: `err-${key}`, 'data-testid': `error-${key}` }));
  const wanted = query.get('sequence');

  const sequence = h('select', { id: 'sequenceId', name: 'sequenceId', 'aria-describedby': 'err-sequenceId' },
    h('option', { value: '' }, sequences.length ? '— choose —' : '(no sequences: upload one first)'),
    sequences.map((s) => h('option', { value: s.id, selected: s.id === wanted },
      `${s.name ?? s.id} — ${s.width}x${s.height} ${s.bitDepth}-bit ${s.fps} fps, ${s.frames} frames`)));
  const radio = (name, value, label, checked) => h('label', { class: 'inline' },
    h('input', { type: 'radio', name, value, checked }), label);
  const CONFIG_LABELS = { ra: 'Random access (ra)', ai: 'All intra (ai)' };
  const configChoices = h('div', { 'data-testid': 'config-choices' });
  const configHint = h('p', { class: 'hint', id: 'hint-config' });
  const configSet = h('fieldset', { 'aria-describedby': 'err-config hint-config' }, h('legend', {}, 'Configuration'),
    configChoices, configHint, errorEl('config'));
  const preset = h('select', { id: 'preset', name: 'preset', 'aria-describedby': 'err-preset hint-preset' });
  const presetField = h('div', { class: 'field' }, h('label', { for: 'preset' }, 'Preset'), preset,
    h('p', { class: 'hint', id: 'hint-preset' }, 'Search effort of nnvvc-enc: slower presets try more partitions and modes.'), errorEl('preset'));
  const rateModeSet = h('fieldset', { 'aria-describedby': 'err-rates' }, h('legend', {}, 'Rate points'),
    radio('rateMode', 'qp', 'Fixed QPs', true), radio('rateMode', 'kbps', 'Target bitrates (kbps)', false),
    h('div', { class: 'field', style: 'margin-top:.5rem' },
      h('label', { for: 'rates', id: 'rates-label' }, 'QPs (comma separated)'),
      h('input', { id: 'rates', name: 'rates', type: 'text', value: '22,27,32,37', 'aria-describedby': 'err-rates hint-rates', autocomplete: 'off' }),
      h('p', { class: 'hint', id: 'hint-rates' }, 'JVET common test conditions use QP 22, 27, 32, 37.'),
      errorEl('rates')));
  const frames = h('input', { id: 'frames', name: 'frames', type: 'text', inputmode: 'numeric', 'aria-describedby': 'err-frames hint-frames', autocomplete: 'off' });
  const segments = h('input', { id: 'segments', name: 'segments', type: 'text', inputmode: 'numeric', 'aria-describedby': 'err-segments hint-segments', autocomplete: 'off' });
  const segmentsField = h('div', { class: 'field', 'data-testid': 'segments-field' }, h('label', { for: 'segments' }, 'Segments (intra periods each)'), segments,
    h('p', { class: 'hint', id: 'hint-segments' }, 'Optional: cut each rate point into segments of this many intra periods, encoded by separate workers and joined into one bitstream (identical to one encode; one intra picture per cut is encoded twice).'),
    errorEl('segments'));
  const encoder = h('select', { id: 'encoder', name: 'encoder', 'aria-describedby': 'err-encoder' },
    h('option', { value: 'nnvvc' }, 'nnvvc (ours)'), h('option', { value: 'vtm' }, 'VTM (reference)'));
  const kind = h('select', { id: 'kind', name: 'kind', 'aria-describedby': 'err-kind hint-kind' },
    h('option', { value: 'encode' }, 'Encode and compare'), h('option', { value: 'anchor' }, 'Anchor (VTM reference run, stored for BD-rate)'));
  const formError = errorEl('form');
  formError.setAttribute('role', 'alert');
  const submit = h('button', { type: 'submit' }, 'Start job');
  const form = h('form', { novalidate: true, class: 'card', 'data-testid': 'new-job-form' },
    formError,
    h('div', { class: 'field' }, h('label', { for: 'sequenceId' }, 'Sequence'), sequence, errorEl('sequenceId'),
      h('p', { class: 'hint' }, h('a', { href: '#/upload' }, 'Upload a new sequence'))),
    h('div', { class: 'field' }, h('label', { for: 'encoder' }, 'Encoder'), encoder, errorEl('encoder')),
    configSet, presetField, rateModeSet,
    h('div', { class: 'field' }, h('label', { for: 'frames' }, 'Frames'), frames,
      h('p', { class: 'hint', id: 'hint-frames' }, 'Leave empty to encode every frame of the sequence.'), errorEl('frames')),
    segmentsField,
    h('div', { class: 'field' }, h('label', { for: 'kind' }, 'Job kind'), kind,
      h('p', { class: 'hint', id: 'hint-kind' }, 'An anchor job runs VTM at the QPs and stores the result as the anchor that later jobs on this sequence are compared with.'),
      errorEl('kind')),
    submit);

  /** Config radios and presets of the encoder that will run (anchor jobs: VTM); keeps a still-offered choice. */
  const syncEncoder = () => {
    const info = infoOf(kind.value === 'anchor' ? 'vtm' : encoder.value);
    const current = form.querySelector('input[name=config]:checked')?.value;
    const chosen = info.configs.includes(current) ? current : info.defaultConfig;
    configChoices.replaceChildren(...info.configs.map((c) => radio('config', c, CONFIG_LABELS[c] ?? c, c === chosen)));
    configHint.textContent = info.configs.includes('ra') ? ''
      : `${info.program ?? info.name} on this server encodes all intra only (no random access yet).`;
    const presetWas = preset.value;
    preset.replaceChildren(...info.presets.map((p) => h('option', { value: p, selected: p === (info.presets.includes(presetWas) ? presetWas : info.defaultPreset) },
      p === info.defaultPreset ? `${p} (default)` : p)));
    presetField.hidden = info.presets.length === 0;
    syncSegments();
  };
  /** Segments only where they work: random access, our encoder, fixed QPs. */
  const syncSegments = () => {
    const config = form.querySelector('input[name=config]:checked')?.value;
    const rateMode = form.querySelector('input[name=rateMode]:checked')?.value;
    segmentsField.hidden = !(config === 'ra' && encoder.value === 'nnvvc' && kind.value === 'encode' && rateMode === 'qp');
    if (segmentsField.hidden) segments.value = '';
  };

  form.addEventListener('change', (e) => {
    if (e.target === encoder || e.target === kind) { syncEncoder(); return; }
    if (e.target.name === 'config') { syncSegments(); return; }
    if (e.target.name !== 'rateMode') return;
    syncSegments();
    const kbps = e.target.value === 'kbps';
    form.querySelector('#rates-label').textContent = kbps ? 'Target bitrates in kbps (comma separated)' : 'QPs (comma separated)';
    form.querySelector('#rates').value = kbps ? '' : '22,27,32,37';
    form.querySelector('#hint-rates').textContent = kbps ? 'E.g. 250, 500, 1000, 2000 — the encoder searches a QP per target.' : 'JVET common test conditions use QP 22, 27, 32, 37.';
  });

  syncEncoder();
  const focusTarget = { sequenceId: sequence, get config() { return configSet.querySelector('input'); }, preset, rates: form.querySelector('#rates'), frames, segments, encoder, kind };
  const setErrors = (errors) => {
    for (const [key, el] of Object.entries(errorEls)) el.textContent = errors[key] ?? '';
    for (const [key, el] of Object.entries(focusTarget)) el.setAttribute('aria-invalid', errors[key] ? 'true' : 'false');
    const first = Object.keys(focusTarget).find((k) => errors[k]);
    if (first) focusTarget[first].focus();
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const seq = sequences.find((s) => s.id === data.get('sequenceId'));
    const info = infoOf(data.get('kind') === 'anchor' ? 'vtm' : data.get('encoder'));
    const { errors, body, ok } = validateNewJob({
      sequenceId: data.get('sequenceId'), config: data.get('config'), configs: info.configs, rateMode: data.get('rateMode'),
      rates: data.get('rates'), frames: data.get('frames'), segments: segmentsField.hidden ? '' : data.get('segments'), encoder: data.get('encoder'), kind: data.get('kind'), maxFrames: seq?.frames,
      // the default preset is left out of the request, so the job says "encoder default" as the API does
      preset: presetField.hidden || data.get('preset') === info.defaultPreset ? undefined : data.get('preset'),
    });
    setErrors(errors);
    if (!ok) { announce('The form has errors.'); return; }
    submit.disabled = true;
    try {
      const { id } = await api.createJob(body);
      announce(`Job ${id} started`);
      location.hash = `#/jobs/${encodeURIComponent(id)}`;
    } catch (err) {
      const field = err instanceof ApiError && err.status < 500 ? jobFieldForServerError(err.body) : 'form';
      setErrors({ [field]: `Server: ${err.message}` });
      submit.disabled = false;
    }
  });

  main.append(h('h1', {}, 'Start a job'), form);
}
