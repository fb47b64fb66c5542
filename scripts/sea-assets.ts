// What the single executable embeds: koffi's native module for the target plus lib/assets.ts's list.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { ASSET_SOURCES } from '../lib/assets.ts';

const root = path.resolve(import.meta.dirname, '..');

export function assetFiles(koffiNode: string): Record<string, string> {
  const files: Record<string, string> = { 'koffi.node': koffiNode };
  for (const [name, rel] of Object.entries(ASSET_SOURCES)) files[name] = path.join(root, rel);
  return files;
}

export function hostKoffiNode(): string {
  const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
  const file = path.join(root, `node_modules/@koromix/koffi-linux-${arch}/linux_${arch}/koffi.node`);
  if (!existsSync(file)) throw new Error(`build: ${file} missing (run 'npm ci')`);
  return file;
}
