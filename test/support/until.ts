// Waiting for a condition in a test instead of sleeping a fixed time: a fixed sleep is a guess that a
// slow or contended machine loses. Polls every few milliseconds and fails with `what` after `ms`.

export async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
