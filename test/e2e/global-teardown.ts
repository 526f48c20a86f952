import type { E2eServer } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __passageE2e?: E2eServer }).__passageE2e?.stop();
}
