// scratch (alf helper): BD-rate ALF on vs off from /tmp/alfw/bd — not committed
import { readFileSync, statSync } from 'node:fs';
import { bdRate } from '../src/quality/bdrate.js';
const src = '/work/shared/sequences/BasketballPass_416x240_50fps_8bit_101f.yuv';
const W = 416, H = 240, F = 17, FPS = 50, dir = '/tmp/alfw/bd';
const srcBuf = readFileSync(src);
function psnr(recFile: string): number {
  const rec = readFileSync(recFile);
  const ys = W * H, cs = ys / 4;
  let acc = [0, 0, 0];
  for (let f = 0; f < F; f++) {
    const so = f * ys * 1.5, ro = f * ys * 3;
    const planes = [[0, ys], [ys, cs], [ys + cs, cs]];
    planes.forEach(([off, n], c) => {
      let ssd = 0;
      for (let i = 0; i < n; i++) { const d = (srcBuf[so + off + i] << 2) - rec.readUInt16LE(ro + 2 * (off + i)); ssd += d * d; }
      acc[c] += 10 * Math.log10(1020 * 1020 * n / Math.max(ssd, 1));
    });
  }
  acc = acc.map((a) => a / F);
  return (6 * acc[0] + acc[1] + acc[2]) / 8;
}
const qps = [22, 27, 32, 37];
const pts = (a: string) => qps.map((q) => ({ kbps: statSync(`${dir}/${a}_${q}.266`).size * 8 * FPS / F / 1000, psnr: psnr(`${dir}/${a}_${q}.yuv`) }));
const off = pts('off'), on = pts('on');
console.log('off', off, '\non', on);
console.log('BD-rate (6Y+U+V)/8 on vs off:', bdRate(off, on).toFixed(2) + '%');
