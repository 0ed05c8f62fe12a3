import { readFile } from 'node:fs/promises';

/** Node's fetch does not take file: URLs, so the wasm next to the package is read from disk. */
export async function readFileUrl(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  return (await readFile(url)) as Uint8Array<ArrayBuffer>;
}
