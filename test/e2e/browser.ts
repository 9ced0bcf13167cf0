import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
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

/** A port nobody listens on right now, so the app's redirect URI can name it before the server starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
