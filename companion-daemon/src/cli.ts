/**
 * `kubeflow-companion`: the daemon's command-line client. Human output by default, `--json` for scripts.
 *
 *   kubeflow-companion status
 *   kubeflow-companion forwards
 *   kubeflow-companion forward notebook/my-nb | pod/NAME:PORT | svc/NAME:PORT | -l SELECTOR --port PORT  [-n NS] [--local-port N]
 *   kubeflow-companion stop-forward ID
 *   kubeflow-companion logs pytorchjob/NAME | trainjob/NAME | pod/NAME | -l SELECTOR  [-n NS] [-f] [--tail N]
 *   kubeflow-companion stop
 *   kubeflow-companion graph FILE [--format json|mermaid|dot]
 *   kubeflow-companion mcp [-n NS] [--kfp-url URL] [--registry-url URL]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ResponseError } from 'vscode-jsonrpc';
import { connectDaemon, DaemonNotRunning, type DaemonConnection } from './client';
import { followLogs } from './cli/follow';
import { formatForwards, formatLogLine, formatStatus, parseLogSource, parseTarget, UsageError } from './cli/format';
import { resolveKubeconfigSet } from './paths';
import * as P from './protocol';

const USAGE = `usage: kubeflow-companion <command> [options]

commands:
  status                       the daemon's state (does not start one)
  forwards                     list port-forwards
  forward TARGET               start a port-forward; TARGET is notebook/NAME, pod/NAME:PORT, svc/NAME:PORT,
                               or -l SELECTOR with --port PORT
  stop-forward ID              stop a port-forward
  logs SOURCE                  merged logs of a training job (pytorchjob/NAME, tfjob/NAME, mpijob/NAME,
                               trainjob/NAME, …), pod/NAME, or -l SELECTOR; -f to follow
  stop                         stop the daemon (its forwards come back when it starts again)
  graph FILE                   print a pipeline's graph (--format json|mermaid|dot)
  mcp                          serve the Kubeflow agent tools over MCP (stdio) for Claude Code, Cursor, …;
                               KFP and the Model Registry through port-forwards, or --kfp-url / --registry-url
                               (tokens from $KUBEFLOW_PIPELINES_TOKEN, $KUBEFLOW_MODEL_REGISTRY_TOKEN)

options:
  -n, --namespace NS           namespace (default: the context's, else "default")
      --context NAME           kubeconfig context (default: current)
      --kubeconfig PATHS       kubeconfig file list (default: $KUBECONFIG or ~/.kube/config)
  -l, --selector SELECTOR      label selector target/source
      --port PORT              remote port (number or name)
      --local-port N           fixed local port (default: a free one)
  -f, --follow                 keep printing new log lines
      --tail N                 only the last N log lines
      --json                   machine-readable output
      --kfp-url URL            mcp: the KFP API at a gateway URL instead of a port-forward to ml-pipeline
      --registry-url URL       mcp: the Model Registry at a URL instead of a port-forward
      --python PATH            mcp: the Python (with kfp) that compiles .py pipelines (default $KFVS_PYTHON, python3)
  -h, --help`;

type Out = NodeJS.WritableStream;

export async function main(argv: string[], out: Out = process.stdout, err: Out = process.stderr): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    out.write(USAGE + '\n');
    return command ? 0 : 2;
  }
  if (command === 'graph') {
    const { graphCommand } = await import('./cli/graph');
    return graphCommand(rest, out);
  }
  let opts: ReturnType<typeof parse>;
  try {
    opts = parse(rest);
  } catch (e) {
    err.write(`kubeflow-companion: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = opts;
  const json = Boolean(values.json);
  const kubeconfig = resolveKubeconfigSet(values.kubeconfig);
  const connect = (start: boolean): Promise<DaemonConnection> =>
    connectDaemon({ kubeconfig, client: 'cli', daemonScript: path.join(__dirname, 'companion-daemon.js'), start });
  const print = (human: string, data: unknown): void => {
    out.write(json ? JSON.stringify(data, null, 2) + '\n' : human + (human.endsWith('\n') || human === '' ? '' : '\n'));
  };

  let d: DaemonConnection | undefined;
  try {
    switch (command) {
      case 'status': {
        try {
          d = await connect(false);
        } catch (e) {
          if (e instanceof DaemonNotRunning) {
            print(`not running (${e.message})`, { running: false });
            return 3;
          }
          throw e;
        }
        const s = await d.connection.sendRequest(P.status);
        print(formatStatus(s), { running: true, ...s });
        return 0;
      }
      case 'stop': {
        try {
          d = await connect(false);
        } catch (e) {
          if (e instanceof DaemonNotRunning) {
            print('not running', { stopped: false });
            return 0;
          }
          throw e;
        }
        await d.connection.sendRequest(P.shutdown);
        print(`stopped daemon ${d.hello.pid}`, { stopped: true, pid: d.hello.pid });
        return 0;
      }
      case 'forwards': {
        d = await connect(true);
        const list = await d.connection.sendRequest(P.listForwards);
        print(formatForwards(list), list);
        return 0;
      }
      case 'forward': {
        const target = parseTarget(positionals[0], values);
        d = await connect(true);
        const localPort = values['local-port'] !== undefined ? Number(values['local-port']) : 0;
        const info = await d.connection.sendRequest(P.startForward, { target, localPort });
        print(`${info.id}  ${info.url}  (${info.status.state})`, info);
        return 0;
      }
      case 'stop-forward': {
        if (!positionals[0]) throw new UsageError('stop-forward needs a forward id (see `kubeflow-companion forwards`)');
        d = await connect(true);
        await d.connection.sendRequest(P.stopForward, { id: positionals[0] });
        print(`stopped ${positionals[0]}`, { stopped: positionals[0] });
        return 0;
      }
      case 'mcp': {
        const { mcpCommand } = await import('./cli/mcp');
        return await mcpCommand((d = await connect(true)), values);
      }
      case 'logs':
        return await logs(connect, parseLogSource(positionals[0], values), values, json, out, err);
      default:
        err.write(`kubeflow-companion: unknown command "${command}"\n${USAGE}\n`);
        return 2;
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err.write(`kubeflow-companion: ${e.message}\n`);
      return 2;
    }
    const reason = e instanceof ResponseError ? ` [${(e.data as P.ErrorData | undefined)?.reason ?? e.code}]` : '';
    err.write(`kubeflow-companion: ${(e as Error).message}${reason}\n`);
    return 1;
  } finally {
    d?.dispose();
  }
}

async function logs(connect: (start: boolean) => Promise<DaemonConnection>, source: P.LogSource, values: Values, json: boolean, out: Out, err: Out): Promise<number> {
  const tail = values.tail !== undefined ? Number(values.tail) : -1;
  const write = (l: P.LogLine): void => void out.write((json ? JSON.stringify(l) : formatLogLine(l)) + '\n');
  if (!values.follow) {
    const d = await connect(true);
    // Read what is captured; start a capture first so a job seen for the first time has lines.
    const sub = await d.connection.sendRequest(P.subscribeLogs, { source, backlog: 0 });
    await new Promise((r) => setTimeout(r, 1500));
    await d.connection.sendRequest(P.unsubscribeLogs, { subscription: sub.subscription });
    const { lines } = await d.connection.sendRequest(P.readLogs, { source, ...(tail >= 0 ? { tail } : {}) });
    lines.forEach(write);
    d.dispose();
    return 0;
  }
  return followLogs({
    connect: () => connect(true),
    source,
    tail,
    write,
    note: (m) => void err.write(`kubeflow-companion: ${m}\n`),
    interrupted: new Promise<void>((resolve) => process.once('SIGINT', () => resolve())),
  });
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      namespace: { type: 'string', short: 'n' },
      context: { type: 'string' },
      kubeconfig: { type: 'string' },
      selector: { type: 'string', short: 'l' },
      port: { type: 'string' },
      'local-port': { type: 'string' },
      follow: { type: 'boolean', short: 'f' },
      tail: { type: 'string' },
      json: { type: 'boolean' },
      'kfp-url': { type: 'string' },
      'registry-url': { type: 'string' },
      python: { type: 'string' },
    },
  });
}
export type Values = ReturnType<typeof parse>['values'];

if (require.main === module) {
  main(process.argv.slice(2)).then(
    // Exit now: an open JSON-RPC socket or a library timer would keep Node alive.
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`kubeflow-companion: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
