/** Resolves when the process is asked to stop (SIGINT, SIGTERM): a serving command awaits it, then cleans up. */
export function stopped(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
