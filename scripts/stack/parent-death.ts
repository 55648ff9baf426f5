/**
 * Children that stop when the launcher dies, even by SIGKILL. Node cannot call prctl(PR_SET_PDEATHSIG),
 * so on Linux the child is started through util-linux `setpriv --pdeathsig SIGTERM`, which sets it
 * and execs the real command (same pid, the signal setting survives exec). Where setpriv is missing
 * (macOS, minimal images) children outlive a killed launcher and the next start reclaims them from
 * their pid files (pid-file.ts).
 */
import { spawnSync } from 'node:child_process';

let setprivWorks: boolean | undefined;

function hasSetpriv(): boolean {
  if (setprivWorks === undefined)
    setprivWorks =
      process.platform === 'linux' && spawnSync('setpriv', ['--pdeathsig', 'SIGTERM', '--', 'true'], { stdio: 'ignore' }).status === 0;
  return setprivWorks;
}

/** `[cmd, args]` to spawn so the child gets SIGTERM when this process dies (as is when unsupported). */
export function dieWithParent(cmd: string, args: string[]): [string, string[]] {
  return hasSetpriv() ? ['setpriv', ['--pdeathsig', 'SIGTERM', '--', cmd, ...args]] : [cmd, args];
}

export function parentDeathSupported(): boolean {
  return hasSetpriv();
}
