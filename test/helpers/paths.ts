/** Paths for tests, independent of whether they run from test/ or dist/test/. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('project root not found');
    dir = up;
  }
  return dir;
}

/** The project root (the folder holding package.json). */
export const projectRoot = findRoot();

/** A file under test/vectors/. */
export function vectorPath(...parts: string[]): string {
  return join(projectRoot, 'test', 'vectors', ...parts);
}

/** A folder for test artefacts (screenshots, captures), git-ignored. */
export function outputPath(...parts: string[]): string {
  return join(projectRoot, 'test-output', ...parts);
}
