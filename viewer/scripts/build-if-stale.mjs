#!/usr/bin/env node
// Builds the viewer (vite) when viewer/dist is missing or older than any of its sources; used by the
// root `npm start` and by the viewer's end-to-end tests and benchmark. A build takes about a minute.
// Several processes may ask at once (test runs, the benchmark): one builds under a lock directory,
// the others wait for it and then find the build fresh.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const built = path.join(root, 'dist', 'index.html');
const lock = path.join(root, '.build-lock');
const STALE_LOCK_MS = 10 * 60_000;

function newest(entry) {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(entry).map((name) => newest(path.join(entry, name))));
}

function stale() {
  const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((p) => path.join(root, p)).filter(existsSync);
  return !existsSync(built) || Math.max(...sources.map(newest)) > statSync(built).mtimeMs;
}

function tryLock() {
  try {
    mkdirSync(lock);
    return true;
  } catch {
    // A builder that died leaves its lock behind: after ten minutes it is not building any more.
    if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
    return false;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

while (stale()) {
  if (!tryLock()) {
    await sleep(500);
    continue;
  }
  try {
    if (stale()) {
      console.error('building the viewer (viewer/dist) …');
      execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: root, stdio: 'inherit' });
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
