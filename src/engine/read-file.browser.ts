/**
 * Browsers and bundles get this file instead of read-file.node.ts (package.json "imports",
 * conditions "browser"/"default"), so no Node built-in is ever reachable from them.
 */
export async function readFileUrl(_url: URL): Promise<Uint8Array<ArrayBuffer>> {
  throw new Error('only Node can read file: URLs; serve the wasm over http(s) or pass its bytes');
}
