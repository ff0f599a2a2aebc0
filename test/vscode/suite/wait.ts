// Helpers of the extension-host suites (bundled into each *.test.js that imports them; not a test file itself).

/** Polls `fn` every 100 ms until it returns something other than undefined; throws after `ms`. */
export async function until<T>(what: string, fn: () => T | undefined, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
