// Debug Component: how the driver is started under debugpy (listening on a loopback port, waiting for the editor's
// debugger) and the attach configuration VS Code's Python debugger (`type: debugpy`, extension ms-python.debugpy) is
// given. Browser-safe.

/** Python arguments before the driver: debugpy listens on 127.0.0.1:`port` and waits until a debugger attaches. */
export function debugpyArgs(port: number): string[] {
  return ['-m', 'debugpy', '--listen', `127.0.0.1:${port}`, '--wait-for-client'];
}

/** The check that the Python has debugpy (its own, not the Python extension's bundled copy). */
export const DEBUGPY_PROBE = ['-c', 'import debugpy; print(debugpy.__version__)'];

export function attachConfiguration(port: number, name: string): Record<string, unknown> {
  return { type: 'debugpy', request: 'attach', name, connect: { host: '127.0.0.1', port }, justMyCode: true };
}

export function noDebugpyMessage(python: string): string {
  return `${python} has no debugpy. Install it (${python} -m pip install debugpy) to debug a component, or select a Python that has it.`;
}
