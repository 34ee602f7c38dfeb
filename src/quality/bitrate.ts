// Bitrate as VTM reports it: bits * fps / frames / 1000 (kbps, 1 kbps = 1000 bit/s). We count the whole
// bitstream file (VTM's own summary leaves out SEI NAL units, e.g. the MD5 hash SEI).
export function bitrateKbps(bytes: number, frames: number, fps: number): number {
  if (!Number.isFinite(bytes) || bytes < 0) throw new Error(`bitrateKbps: bytes=${bytes} must be >= 0`);
  if (!Number.isInteger(frames) || frames <= 0) throw new Error(`bitrateKbps: frames=${frames} must be a positive integer`);
  if (!Number.isFinite(fps) || fps <= 0) throw new Error(`bitrateKbps: fps=${fps} must be > 0`);
  return (bytes * 8 * fps) / frames / 1000;
}
