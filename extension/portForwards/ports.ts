/**
 * Keeps VS Code's own port forwarding (the Ports view of a remote window: code-server, SSH, Codespaces) from
 * auto-forwarding the local ports our daemon listens on: they are ours, already on 127.0.0.1, and there can be dozens
 * ("Over 20 ports have been automatically forwarded"). The manifest's `remote.portsAttributes` default ignores ports
 * opened by the daemon's process (matched on its command line, `companion-daemon.js`); where the window offers the
 * port-attributes API (`workspace.registerPortAttributesProvider`, still a proposal in VS Code 1.139), the ports of
 * the forwards the daemon reports are ignored through it as well.
 */
import * as vscode from 'vscode';
import type { Log } from '../log';
import type { PortForwardsView } from './view';

/** VS Code asks a provider only about ports its selector matches; it wants a port range or a command pattern. */
interface PortAttributesSelector {
  portRange?: [number, number] | number;
  commandPattern?: RegExp;
}

interface PortAttributesApi {
  registerPortAttributesProvider(selector: PortAttributesSelector, provider: { providePortAttributes(a: { port: number; pid?: number; commandLine?: string }, token: vscode.CancellationToken): unknown }): vscode.Disposable;
}

/** The daemon's own process, as VS Code sees its command line. */
export const DAEMON_COMMAND_LINE = /companion-daemon\.js/;

/**
 * Every port (a half-open range): a forward's local port is whatever the user or the OS picked. Not the command
 * pattern: VS Code requires both to match when both are given, and it does not always know a port's command line.
 */
export const PORT_SELECTOR: PortAttributesSelector = { portRange: [1, 65536] };

export function ignoreOwnPorts(view: PortForwardsView, log: Log): vscode.Disposable {
  const api = vscode as unknown as { workspace: Partial<PortAttributesApi>; PortAttributes?: new (action: number) => unknown; PortAutoForwardAction?: { Ignore: number } };
  try {
    const register = api.workspace.registerPortAttributesProvider;
    if (typeof register !== 'function' || !api.PortAttributes || !api.PortAutoForwardAction) return new vscode.Disposable(() => undefined);
    const Ignore = api.PortAutoForwardAction.Ignore;
    const Attributes = api.PortAttributes;
    return register.call(api.workspace, PORT_SELECTOR, {
      providePortAttributes: ({ port, commandLine }) => (view.localPorts().has(port) || (commandLine && DAEMON_COMMAND_LINE.test(commandLine)) ? new Attributes(Ignore) : undefined),
    });
  } catch (err) {
    // Without the proposal enabled for this extension the API throws: the manifest default still applies.
    log.debug(`port forwards: no port-attributes API here (${(err as Error).message})`);
    return new vscode.Disposable(() => undefined);
  }
}
