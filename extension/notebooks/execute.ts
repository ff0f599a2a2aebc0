/**
 * One cell's run on a Jupyter kernel, as a VS Code cell execution: sends the code, turns IOPub messages into outputs
 * (streams appended to the same output, rich displays, updates by display id, clear_output with wait, errors with
 * tracebacks), sets the execution order, answers input requests with an input box, and ends with the kernel's status.
 * `resume` picks up a run this window did not start (after a reload) by its message id: the server replays what it
 * buffered for our clientId.
 */
import { KernelMessage, type Kernel } from '@jupyterlab/services';
import * as vscode from 'vscode';
import { MIME, noticeOutput, toOps, type Output, type OutputOp } from './outputs';

export interface RunHooks {
  /** The execute_request's id, as soon as it is sent (kept so a reloaded window can resume the run). */
  onStarted?(msgId: string): void;
  onCount?(count: number): void;
  /**
   * Asked before a failed run ends, with the error's name: a notice to add (e.g. the kernel was stopped because its
   * server shut down, not by the user), or undefined.
   */
  explainFailure?(ename: string): Promise<Output | undefined>;
}

export class CellRun {
  private chain: Promise<unknown> = Promise.resolve();
  private lastStream: { name: 'stdout' | 'stderr'; output: vscode.NotebookCellOutput } | undefined;
  private displays = new Map<string, vscode.NotebookCellOutput>();
  private clearOnNext = false;
  private endedWith: boolean | undefined;
  private finish!: (ok: boolean) => void;
  /** Resolves with the run's success when it ended, however it ended. */
  readonly done = new Promise<boolean>((r) => (this.finish = r));
  msgId: string | undefined;

  constructor(
    readonly execution: vscode.NotebookCellExecution,
    private readonly hooks: RunHooks = {},
  ) {}

  get cell(): vscode.NotebookCell {
    return this.execution.cell;
  }

  get ended(): boolean {
    return this.endedWith !== undefined;
  }

  /** Starts the run on the kernel. Resolves when the kernel replied and went idle, or the run was ended otherwise. */
  async run(kernel: Kernel.IKernelConnection, startedAt = Date.now()): Promise<boolean> {
    this.execution.start(startedAt);
    await this.execution.clearOutput();
    const future = kernel.requestExecute({ code: this.cell.document.getText(), stop_on_error: true, allow_stdin: true });
    this.msgId = future.msg.header.msg_id;
    this.hooks.onStarted?.(this.msgId);
    future.onIOPub = (msg) => this.handle(msg);
    future.onStdin = (msg) => {
      if (KernelMessage.isInputRequestMsg(msg)) void this.answerInput(future, msg);
    };
    future.done.then(
      (reply) => this.complete(reply.content.status === 'ok', (reply.content as { execution_count?: number }).execution_count, (reply.content as { ename?: string }).ename),
      (err: unknown) => {
        // Futures are disposed on restart and shutdown: the watcher of the kernel says why; this is the fallback.
        if (!this.ended) void this.fail('KernelConnectionError', `The run was cancelled: ${(err as Error).message}`);
      },
    );
    return this.done;
  }

  /**
   * Follows a run started before a window reload. Resolves like `run`. `settle` ends it if the kernel turns out to be
   * idle with nothing to replay (the run finished while the window was away and its output was not kept).
   */
  resume(kernel: Kernel.IKernelConnection, msgId: string, startedAt: number, staleOutputs = false, count?: number): Promise<boolean> {
    this.msgId = msgId;
    this.execution.start(startedAt);
    // The kernel's execute_input came before the reload: the count it carried was kept with the run.
    if (typeof count === 'number') this.setCount(count);
    // The restored cell may show an earlier run's outputs (a backup older than this run): those go.
    if (staleOutputs) this.chain = this.chain.then(() => this.clear());
    const last = staleOutputs ? undefined : this.cell.outputs.at(-1);
    const name = last?.items.length && last.items.every((i) => i.mime === MIME.stdout) ? 'stdout' : last?.items.length && last.items.every((i) => i.mime === MIME.stderr) ? 'stderr' : undefined;
    if (last && name) this.lastStream = { name, output: last };
    const onIOPub = (_k: Kernel.IKernelConnection, msg: KernelMessage.IIOPubMessage) => {
      if (msg.parent_header && (msg.parent_header as KernelMessage.IHeader).msg_id === msgId) {
        this.handle(msg);
        if (KernelMessage.isStatusMsg(msg) && msg.content.execution_state === 'idle') this.settleLater();
      }
    };
    let replyOk: boolean | undefined;
    let replyCount: number | undefined;
    const onReply = (_k: Kernel.IKernelConnection, msg: KernelMessage.IMessage) => {
      if ((msg.parent_header as KernelMessage.IHeader | undefined)?.msg_id === msgId && msg.header.msg_type === 'execute_reply') {
        const reply = msg.content as { status?: string; execution_count?: number };
        replyOk = reply.status === 'ok';
        replyCount = reply.execution_count;
        this.settleLater();
      }
    };
    kernel.iopubMessage.connect(onIOPub);
    kernel.unhandledMessage.connect(onReply);
    this.settleLater = () => {
      // The reply and the idle status can come in either order; give the other a moment.
      setTimeout(() => void this.complete(replyOk ?? true, replyCount), 300);
    };
    void this.done.finally(() => {
      kernel.iopubMessage.disconnect(onIOPub);
      kernel.unhandledMessage.disconnect(onReply);
    });
    return this.done;
  }

  private settleLater: () => void = () => undefined;

  /** Ends the run now with a message in the cell (kernel died, server restarted, connection lost). */
  async fail(name: string, message: string): Promise<void> {
    if (this.ended) return;
    this.endedWith = false;
    await this.chain;
    await this.append(noticeOutput(name, message));
    this.execution.end(false, Date.now());
    this.finish(false);
  }

  /** Ends a run that never started (queued behind a failed cell or an interrupt). */
  skip(): void {
    if (this.ended) return;
    this.endedWith = false;
    this.execution.end(undefined);
    this.finish(false);
  }

  private async complete(ok: boolean, count?: number, ename?: string): Promise<void> {
    if (this.ended) return;
    this.endedWith = ok;
    if (typeof count === 'number') this.setCount(count);
    await this.chain;
    const notice = !ok && ename ? await this.hooks.explainFailure?.(ename).catch(() => undefined) : undefined;
    if (notice) await this.append(notice);
    this.execution.end(ok, Date.now());
    this.finish(ok);
  }

  private handle(msg: KernelMessage.IIOPubMessage): void {
    if (this.ended) return;
    for (const op of toOps(msg)) this.chain = this.chain.then(() => this.apply(op)).catch(() => undefined);
  }

  private setCount(count: number): void {
    this.execution.executionOrder = count;
    this.hooks.onCount?.(count);
  }

  private async apply(op: OutputOp): Promise<void> {
    if (op.op === 'count') return this.setCount(op.count);
    if (op.op === 'clear') {
      if (op.wait) this.clearOnNext = true;
      else await this.clear();
      return;
    }
    if (this.clearOnNext) await this.clear();
    switch (op.op) {
      case 'stream': {
        const item = op.name === 'stderr' ? vscode.NotebookCellOutputItem.stderr(op.text) : vscode.NotebookCellOutputItem.stdout(op.text);
        // Our own output objects: their ids are what the editor knows (the cell's outputs are copies).
        if (this.lastStream?.name === op.name) {
          await this.execution.appendOutputItems(item, this.lastStream.output);
        } else {
          const output = new vscode.NotebookCellOutput([item], { outputType: 'stream' });
          await this.execution.appendOutput(output);
          this.lastStream = { name: op.name, output };
        }
        return;
      }
      case 'append': {
        const out = await this.append(op.output);
        if (op.displayId) this.displays.set(op.displayId, out);
        return;
      }
      case 'update': {
        const target = this.displays.get(op.displayId);
        if (target) await this.execution.replaceOutputItems(op.output.items.map((i) => new vscode.NotebookCellOutputItem(i.data, i.mime)), target);
        return;
      }
    }
  }

  private async append(o: Output): Promise<vscode.NotebookCellOutput> {
    const output = new vscode.NotebookCellOutput(o.items.map((i) => new vscode.NotebookCellOutputItem(i.data, i.mime)), o.metadata);
    await this.execution.appendOutput(output);
    this.lastStream = undefined;
    return output;
  }

  private async clear(): Promise<void> {
    this.clearOnNext = false;
    this.lastStream = undefined;
    this.displays.clear();
    await this.execution.clearOutput();
  }

  /** `input()` in the cell: an input box; the prompt and the answer are echoed like Jupyter front ends do. */
  private async answerInput(future: Kernel.IShellFuture<KernelMessage.IExecuteRequestMsg, KernelMessage.IExecuteReplyMsg>, msg: KernelMessage.IInputRequestMsg): Promise<void> {
    const { prompt, password } = msg.content;
    const value = await vscode.window.showInputBox({ title: `Input for cell ${this.cell.index + 1}`, prompt: prompt || 'The cell asks for input', password, ignoreFocusOut: true });
    this.handle({
      header: { ...msg.header, msg_type: 'stream' },
      parent_header: msg.parent_header,
      metadata: {},
      content: { name: 'stdout', text: `${prompt}${password ? '········' : value ?? ''}\n` },
      channel: 'iopub',
    } as unknown as KernelMessage.IIOPubMessage);
    future.sendInputReply({ status: 'ok', value: value ?? '' }, msg.header);
  }
}
