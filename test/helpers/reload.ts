import type { App } from '../../runtime/index.js';

/** Waits (through hot reload) until the app shows what a test wrote. */
export async function until(app: App, ready: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    await app.settled();
    if (ready()) return;
    if (Date.now() > end) throw new Error('the app did not pick the change up');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
