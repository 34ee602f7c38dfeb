// Which machine a measurement was taken on; recorded with every timing so T1/T2 comparisons can be judged.
import os from 'node:os';

export interface MachineInfo { cpu: string; cores: number; os: string; hostname: string; memGiB: number }

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() || 'unknown', cores: cpus.length, os: `${os.type()} ${os.release()} ${os.arch()}`,
    hostname: os.hostname(), memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  };
}

/** Same machine for timing purposes: same CPU model, core count and host. */
export function sameMachine(a?: Partial<MachineInfo>, b?: Partial<MachineInfo>): boolean {
  return !!a && !!b && a.cpu === b.cpu && a.cores === b.cores && a.hostname === b.hostname;
}
