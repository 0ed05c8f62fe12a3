/**
 * The benchmark page's module: the package comes from dist/ through the page's import map
 * (as a plain `<script type="module">` consumer would load it), the workload is bundled in.
 */
import { Engine } from 'wasm-ipam';
import { measureIpv4Churn, type ChurnMode } from './ipv4-churn.js';

// dist's Engine and src's are the same class compiled twice; TypeScript's #private fields make them nominal.
type SrcEngine = Parameters<typeof measureIpv4Churn>[0];

(globalThis as { measureIpv4Churn?: unknown }).measureIpv4Churn = async (mode: ChurnMode, durationMs: number) =>
  measureIpv4Churn((await Engine.load()) as unknown as SrcEngine, mode, durationMs);
