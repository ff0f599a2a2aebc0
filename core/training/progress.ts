/**
 * Training progress read from log lines, the way people read them: tqdm bars (`45%|████▌ | 450/1000 [...]`),
 * Keras (`Epoch 3/10`, `120/1000 [===>...] - loss: 0.43`), PyTorch examples (`Train Epoch: 2 [640/60000 (1%)]
 * Loss: 0.28`), Hugging Face Trainer dicts (`{'loss': 0.12, 'epoch': 1.5}`), Lightning (`Epoch 2: 45%|…`), and plain
 * `epoch 3 step 300 loss 0.77`. Pure; the extension feeds it the merged log of a running job.
 */

export interface Progress {
  /** Overall completion, 0–100, when the log says enough to know it. */
  percent?: number;
  epoch?: number;
  epochs?: number;
  step?: number;
  steps?: number;
  loss?: number;
  /** Other numbers worth showing: accuracy, val_loss, learning rate… */
  metrics: Record<string, number>;
}

const NUM = '(-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?|nan|inf)';
const METRIC_NAMES = /^(val_?loss|eval_loss|accuracy|acc|val_?acc(uracy)?|eval_accuracy|top1|top5|f1|perplexity|ppl|lr|learning_rate|grad_norm)$/i;

function num(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}

/** What one line says. Only fields the line mentions are set. */
export function parseProgressLine(raw: string): Partial<Progress> | undefined {
  // tqdm redraws with \r: the last drawing is the current one.
  const text = raw.split('\r').filter((s) => s.trim()).pop() ?? '';
  if (!text) return undefined;
  const out: Partial<Progress> & { metrics: Record<string, number> } = { metrics: {} };
  let barPercent: number | undefined;

  // Hugging Face Trainer: {'loss': 0.1234, 'grad_norm': 1.2, 'learning_rate': 5e-05, 'epoch': 1.5}
  const dict = /\{\s*'[a-z_]+':\s*[-\d.e+]+(?:,\s*'[a-z_]+':\s*[-\d.e+]+)*\s*\}/i.exec(text);
  if (dict) {
    for (const m of dict[0].matchAll(/'([a-z_]+)':\s*([-\d.e+]+)/gi)) {
      const k = m[1]!.toLowerCase();
      const v = num(m[2]);
      if (v === undefined) continue;
      if (k === 'loss' || k === 'train_loss') out.loss = v;
      else if (k === 'epoch') out.epoch = v;
      else if (k === 'step' || k === 'global_step') out.step = v;
      else out.metrics[k] = v;
    }
  }

  // tqdm / Lightning bar: "Epoch 2:  45%|████▌     | 450/1000 [00:30<00:36, 15.0it/s, loss=0.123]"
  const bar = /(\d{1,3})%\|[^|]*\|\s*(\d+)\/(\d+)/.exec(text);
  if (bar) {
    barPercent = Math.min(100, Number(bar[1]));
    const inner = { step: Number(bar[2]), steps: Number(bar[3]) };
    const epochPrefix = /\bEpoch\s+(\d+)(?:\/(\d+))?\s*:/i.exec(text.slice(0, bar.index));
    if (epochPrefix) {
      // Lightning counts epochs from 0 and shows the bar of the current epoch.
      out.epoch = Number(epochPrefix[1]) + 1;
      if (epochPrefix[2]) out.epochs = Number(epochPrefix[2]) + 1;
      (out as { epochFraction?: number }).epochFraction = barPercent / 100;
    } else {
      out.step = inner.step;
      out.steps = inner.steps;
      out.percent = barPercent;
    }
  }

  // Keras step bar: "120/1000 [====>.....] - ETA: 1:23 - loss: 0.4321 - accuracy: 0.8700"
  const keras = /^\s*(\d+)\/(\d+)\s+\[[=>.]+\]/.exec(text);
  if (keras && !bar) {
    (out as { epochFraction?: number }).epochFraction = Number(keras[1]) / Math.max(1, Number(keras[2]));
  }

  // PyTorch examples: "Train Epoch: 2 [640/60000 (1%)]\tLoss: 0.283"
  const torchEx = /Train Epoch:\s*(\d+)\s*\[(\d+)\/(\d+)/i.exec(text);
  if (torchEx) {
    out.epoch = Number(torchEx[1]);
    (out as { epochFraction?: number }).epochFraction = Number(torchEx[2]) / Math.max(1, Number(torchEx[3]));
  }

  if (!dict && !torchEx && out.epoch === undefined) {
    // "Epoch 3/10", "epoch 3 of 10", "epoch: 3", "[Epoch 3]"
    const e = /\bepoch\b[\s:=[]*(\d+(?:\.\d+)?)(?:\s*(?:\/|of)\s*(\d+))?/i.exec(text);
    if (e) {
      out.epoch = Number(e[1]);
      if (e[2]) out.epochs = Number(e[2]);
    }
  }
  if (out.step === undefined && !bar) {
    // "step 300", "Step 500/2000", "global_step=500", "[step 12/100]"
    const s = /\b(?:global_)?step\b[\s:=[]*(\d+)(?:\s*(?:\/|of)\s*(\d+))?/i.exec(text);
    if (s) {
      out.step = Number(s[1]);
      if (s[2]) out.steps = Number(s[2]);
    }
  }
  if (out.loss === undefined) {
    // "loss 0.7667", "loss: 0.43", "loss=0.12", "Loss: 0.283", "train_loss=0.1" (not val_loss)
    const l = new RegExp(`(?<![A-Za-z_])(?:train[_ ])?loss\\b\\s*[:=]?\\s*${NUM}`, 'i').exec(text);
    if (l) out.loss = num(l[1]);
  }
  // name=value / name: value pairs of well-known metrics (Katib's StdOut collector reads `name=value` too).
  for (const m of text.matchAll(new RegExp(`\\b([A-Za-z][A-Za-z0-9_]*)\\s*[:=]\\s*${NUM}`, 'g'))) {
    if (METRIC_NAMES.test(m[1]!) && out.metrics[m[1]!.toLowerCase()] === undefined) {
      const v = num(m[2]);
      if (v !== undefined) out.metrics[m[1]!.toLowerCase()] = v;
    }
  }
  // "acc 0.70" (space-separated, like the loss above)
  for (const m of text.matchAll(new RegExp(`\\b(acc|accuracy|val_loss|val_acc)\\s+${NUM}`, 'gi'))) {
    const v = num(m[2]);
    if (v !== undefined && out.metrics[m[1]!.toLowerCase()] === undefined) out.metrics[m[1]!.toLowerCase()] = v;
  }

  const found = out.percent !== undefined || out.epoch !== undefined || out.step !== undefined || out.loss !== undefined || Object.keys(out.metrics).length > 0;
  return found ? out : undefined;
}

/**
 * Progress of one replica's log, line after line. Totals stick (an `Epoch 3/10` header sets 10 for later lines);
 * the percentage comes from the most precise source seen last: a step bar with a total, else epochs.
 */
export class ProgressTracker {
  private p: Progress = { metrics: {} };
  private epochFraction: number | undefined;

  feed(text: string): boolean {
    const r = parseProgressLine(text) as (Partial<Progress> & { epochFraction?: number }) | undefined;
    if (!r) return false;
    const epochChanged = r.epoch !== undefined && r.epoch !== this.p.epoch;
    if (r.epoch !== undefined) this.p.epoch = r.epoch;
    if (r.epochs !== undefined) this.p.epochs = r.epochs;
    if (r.step !== undefined) this.p.step = r.step;
    if (r.steps !== undefined) this.p.steps = r.steps;
    if (r.loss !== undefined) this.p.loss = r.loss;
    Object.assign(this.p.metrics, r.metrics ?? {});
    if (r.epochFraction !== undefined) this.epochFraction = r.epochFraction;
    else if (epochChanged) this.epochFraction = undefined;
    const percent = this.percentFrom(r);
    if (percent !== undefined) this.p.percent = Math.max(0, Math.min(100, Math.round(percent * 10) / 10));
    return true;
  }

  get(): Progress {
    return { ...this.p, metrics: { ...this.p.metrics } };
  }

  private percentFrom(r: Partial<Progress> & { epochFraction?: number }): number | undefined {
    if (r.percent !== undefined) return r.percent;
    if (r.steps && r.step !== undefined) return (100 * r.step) / r.steps;
    const { epoch, epochs } = this.p;
    if (epochs && epoch !== undefined && (r.epoch !== undefined || r.epochFraction !== undefined)) {
      // A bare "Epoch 3/10" header starts epoch 3; a line with metrics ends it; a bar tells how far into it.
      const done = this.epochFraction !== undefined ? epoch - 1 + this.epochFraction
        : r.loss !== undefined || Object.keys(r.metrics ?? {}).length ? epoch
        : Number.isInteger(epoch) ? epoch - 1 : epoch;
      return (100 * done) / epochs;
    }
    if (this.p.steps && r.step !== undefined) return (100 * r.step) / this.p.steps;
    return undefined;
  }
}

/** `▰▰▰▰▱▱▱▱▱▱ 42%` */
export function progressBar(percent: number, width = 10): string {
  const full = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return `${'▰'.repeat(full)}${'▱'.repeat(width - full)} ${Math.round(percent)}%`;
}

/** `epoch 3/10 · step 300 · loss 0.4321 · accuracy 0.87` */
export function describeProgress(p: Progress): string {
  const parts: string[] = [];
  if (p.epoch !== undefined) parts.push(`epoch ${Number.isInteger(p.epoch) ? p.epoch : p.epoch.toFixed(2)}${p.epochs ? `/${p.epochs}` : ''}`);
  if (p.step !== undefined) parts.push(`step ${p.step}${p.steps ? `/${p.steps}` : ''}`);
  if (p.loss !== undefined) parts.push(`loss ${fmt(p.loss)}`);
  for (const [k, v] of Object.entries(p.metrics).slice(0, 3)) parts.push(`${k} ${fmt(v)}`);
  return parts.join(' · ');
}

function fmt(v: number): string {
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}
