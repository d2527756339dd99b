// Preloaded into a measured child (`node --import ./scripts/peak-memory.mjs …`): on exit, writes the
// process's peak resident memory (VmHWM from /proc/self/status, Linux) to stderr as one marked line.
import { readFileSync, writeSync } from 'node:fs';

process.on('exit', () => {
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  writeSync(2, `\npeak-memory VmHWM ${kb ?? 'unknown'} kB\n`);
});
