import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env['JIT_CHROMIUM'] ?? '/usr/bin/chromium';

/** Browser tests need Debian's Chromium (`apt-get install chromium`, done by .ci/run); without it they are skipped, and say so. */
export const browserAvailable = existsSync(CHROMIUM);
if (!browserAvailable) console.warn(`SKIPPED: browser end-to-end tests — no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set JIT_CHROMIUM).`);

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
}
