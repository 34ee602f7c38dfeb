// The challenge's acceptance rules, evaluated on measured rate points against the VTM-23.2 anchor.
//  rate-window      every point's rate within [0.9, 1.1] x its anchor point's rate            (required)
//  rate-extremes    lowest and highest points within [0.8, 1.2] (hybrid/end-to-end rule)      (informational)
//  time-ratio       T1 / T2 <= 0.7 FOR EACH rate point: T1 = our encode seconds for the point, T2 = the anchor's
//                   encode seconds for its point (same machine; the detail says when it was not)  (required)
//  decode-md5       every bitstream decoded by every decoder with matching MD5                (required)
//  point-count      four rate points, as the challenge asks                                   (informational)
// pass is null when the rule cannot be judged (e.g. no anchor); detail says why.
import { sameMachine, type MachineInfo } from './machine.js';

export const RATE_WINDOW: [number, number] = [0.9, 1.1];
export const EXTREME_WINDOW: [number, number] = [0.8, 1.2];
export const MAX_TIME_RATIO = 0.7;

export interface RuleResult { id: string; description: string; pass: boolean | null; required: boolean; detail: string }

export interface RulePointInput {
  label: string; kbps: number; encodeSeconds: number; decodeOk: boolean; md5Ok: boolean;
  /** Result of VTM-23.2 DecoderApp with MD5 check for this bitstream; null when it did not run. When omitted,
   *  decodeOk && md5Ok stands for it. */
  vtmDecodeMd5?: boolean | null;
  anchor?: { kbps: number; encodeSeconds?: number };
}

export interface RuleInput {
  points: RulePointInput[];
  machine?: MachineInfo; anchorMachine?: MachineInfo;
}

export interface PointRuleFlags { rateWindow: boolean | null; extremeWindow: boolean | null; decodeMd5: boolean | null; timeRatio: boolean | null }

export interface PointTime { t1: number; t2: number; ratio: number }

/** T1/T2 of one rate point: undefined when the anchor's encode time for that point is unknown. */
export function pointTime(p: RulePointInput): PointTime | undefined {
  const t2 = p.anchor?.encodeSeconds;
  if (t2 === undefined || !(t2 > 0)) return undefined;
  return { t1: p.encodeSeconds, t2, ratio: p.encodeSeconds / t2 };
}

export function rateRatio(kbps: number, anchorKbps: number): number { return kbps / anchorKbps; }

export function inWindow(ratio: number, w: [number, number]): boolean {
  // A tiny tolerance so 0.9 * rate computed in floating point is still "within 90%".
  return ratio >= w[0] - 1e-12 && ratio <= w[1] + 1e-12;
}

export function pointFlags(points: RulePointInput[]): PointRuleFlags[] {
  const order = points.map((p, i) => ({ i, k: p.kbps })).sort((a, b) => a.k - b.k).map((e) => e.i);
  const extremes = new Set(order.length ? [order[0], order[order.length - 1]] : []);
  return points.map((p, i) => {
    const r = p.anchor ? rateRatio(p.kbps, p.anchor.kbps) : undefined;
    return {
      rateWindow: r === undefined ? null : inWindow(r, RATE_WINDOW),
      extremeWindow: r === undefined || !extremes.has(i) ? null : inWindow(r, EXTREME_WINDOW),
      decodeMd5: p.vtmDecodeMd5 !== undefined ? p.vtmDecodeMd5 : p.decodeOk && p.md5Ok,
      timeRatio: ((t) => (t ? t.ratio <= MAX_TIME_RATIO + 1e-12 : null))(pointTime(p)),
    };
  });
}

export function timeRatio(points: RulePointInput[]): { t1: number; t2: number; ratio: number } | undefined {
  if (!points.length || points.some((p) => p.anchor?.encodeSeconds === undefined || !(p.anchor.encodeSeconds! > 0))) return undefined;
  const t1 = points.reduce((s, p) => s + p.encodeSeconds, 0);
  const t2 = points.reduce((s, p) => s + p.anchor!.encodeSeconds!, 0);
  return { t1, t2, ratio: t1 / t2 };
}

const pct = (r: number) => `${(r * 100).toFixed(1)}%`;

export function evaluateRules(input: RuleInput): RuleResult[] {
  const { points } = input;
  const flags = pointFlags(points);
  const out: RuleResult[] = [];
  const withAnchor = points.filter((p) => p.anchor);

  if (withAnchor.length < points.length || !points.length) {
    out.push({ id: 'rate-window', description: 'each rate point within 90-110% of its anchor rate', pass: null, required: true,
      detail: points.length ? `no anchor rate for ${points.length - withAnchor.length} of ${points.length} point(s)` : 'no rate points' });
  } else {
    const bad = points.filter((_, i) => !flags[i].rateWindow);
    out.push({ id: 'rate-window', description: 'each rate point within 90-110% of its anchor rate', pass: bad.length === 0, required: true,
      detail: points.map((p) => `${p.label}: ${p.kbps.toFixed(3)} / ${p.anchor!.kbps.toFixed(3)} kbps = ${pct(rateRatio(p.kbps, p.anchor!.kbps))}`).join('; ') });
  }

  const ext = points.map((p, i) => ({ p, f: flags[i] })).filter((e) => e.f.extremeWindow !== null);
  out.push({ id: 'rate-extremes', description: 'lowest and highest rate points within 80-120% of their anchor rates (hybrid/end-to-end rule, informational)',
    pass: ext.length ? ext.every((e) => e.f.extremeWindow) : null, required: false,
    detail: ext.length ? ext.map((e) => `${e.p.label}: ${pct(rateRatio(e.p.kbps, e.p.anchor!.kbps))}`).join('; ') : 'no anchor rates' });

  const tr = timeRatio(points);
  const times = points.map(pointTime);
  const machines = input.machine && input.anchorMachine
    ? (sameMachine(input.machine, input.anchorMachine) ? ` (same machine: ${input.machine.cpu} x${input.machine.cores})`
      : ` (DIFFERENT machines: ours ${input.machine.cpu} x${input.machine.cores} on ${input.machine.hostname}, anchor ${input.anchorMachine.cpu} x${input.anchorMachine.cores} on ${input.anchorMachine.hostname}; ratio not comparable)`)
    : ' (machine of a measurement unknown)';
  const missing = points.filter((_, i) => !times[i]);
  const slow = points.filter((_, i) => flags[i].timeRatio === false);
  const perPoint = points.map((p, i) => times[i] ? `${p.label}: T1 ${times[i]!.t1.toFixed(3)} s / T2 ${times[i]!.t2.toFixed(3)} s = ${times[i]!.ratio.toFixed(4)}${flags[i].timeRatio ? '' : ' FAIL'}` : `${p.label}: T2 unknown`).join('; ');
  out.push({ id: 'time-ratio', description: `each rate point's encode time T1 <= ${MAX_TIME_RATIO * 100}% of the anchor's T2 for that point, on the same machine`,
    pass: !points.length || missing.length ? null : slow.length === 0, required: true,
    detail: !points.length ? 'no rate points' : missing.length === points.length ? 'anchor encode times unknown'
      : `${perPoint}${tr ? `; total T1 ${tr.t1.toFixed(3)} s / T2 ${tr.t2.toFixed(3)} s = ${tr.ratio.toFixed(4)}` : ''}${machines}` });

  const badDec = points.filter((_, i) => flags[i].decodeMd5 === false);
  const notRun = points.filter((_, i) => flags[i].decodeMd5 === null);
  out.push({ id: 'decode-md5', description: 'every bitstream decoded by VTM-23.2 DecoderApp with matching MD5', required: true,
    pass: !points.length ? null : badDec.length ? false : notRun.length ? null : true,
    detail: badDec.length ? `failed: ${badDec.map((p) => `${p.label} (decode ${p.decodeOk ? 'ok' : 'FAILED'}, md5 ${p.md5Ok ? 'ok' : 'MISMATCH/absent'})`).join(', ')}`
      : notRun.length ? `VTM-23.2 DecoderApp did not run for ${notRun.map((p) => p.label).join(', ')} (set VTM_DECODER_APP)` : `${points.length} bitstream(s) ok` });

  out.push({ id: 'point-count', description: 'four rate points (anchor QPs 22/27/32/37)', pass: points.length === 4, required: false,
    detail: `${points.length} point(s)` });
  return out;
}

/** Overall verdict: all required rules pass (null when any required rule could not be judged). */
export function allRequiredPass(rules: RuleResult[]): boolean | null {
  const req = rules.filter((r) => r.required);
  if (req.some((r) => r.pass === false)) return false;
  if (req.some((r) => r.pass === null)) return null;
  return true;
}
