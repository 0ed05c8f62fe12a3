/** Directories made one level at a time, shared by serve --data-dir and simulate --out. */
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

export const DIRECTORY_PROBLEMS: Record<string, string> = {
  EEXIST: 'a file of that name is in the way',
  ENOTDIR: 'part of the path is a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOENT: 'no directory can be made there',
};

function fsError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

/**
 * `mkdir -p` one level at a time, returning the first directory made (undefined when `out` was
 * there). Node 20's own `mkdir(out, { recursive: true })` never settles where the kernel answers
 * ENOENT for a name under a directory that exists, as under /proc.
 */
export async function makeDirectories(out: string): Promise<string | undefined> {
  const missing: string[] = [];
  for (let dir = out; ; dir = dirname(dir)) {
    const found = await stat(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' && dir !== dirname(dir)) return undefined;
      throw error;
    });
    if (found === undefined) {
      missing.unshift(dir); // shallowest first
      continue;
    }
    if (!found.isDirectory()) throw dir === out ? fsError('EEXIST', `${dir} is a file`) : fsError('ENOTDIR', `${dir} is a file`);
    break;
  }
  for (const dir of missing) await mkdir(dir);
  return missing[0];
}
