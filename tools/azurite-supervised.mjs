// Runs Azurite as a child and stops it when the process that started us goes away, even if that process was
// killed with SIGKILL and never got to clean up. Usage: node azurite-supervised.mjs <parentPid> <azurite args...>
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [parentPid, ...args] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const azurite = path.join(path.dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'azurite.js');
// RW_AZURITE_CPU_PROF=<dir> profiles Azurite (a .cpuprofile written there when it stops), to see where it spends its time.
const profile = process.env.RW_AZURITE_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.RW_AZURITE_CPU_PROF}`] : [];
// Persisted databases are saved within ~50 ms of a write instead of every 5 s (see azurite-eager-save.cjs).
const eagerSave = ['-r', path.join(path.dirname(fileURLToPath(import.meta.url)), 'azurite-eager-save.cjs')];
const child = spawn(process.execPath, [...profile, ...eagerSave, azurite, ...args], { stdio: 'inherit' });

const stop = () => { child.kill('SIGTERM'); setTimeout(() => process.exit(0), 2000).unref(); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
child.on('exit', (code) => process.exit(code ?? 0));
setInterval(() => {
  try { process.kill(Number(parentPid), 0); } catch { stop(); }
}, 500);
