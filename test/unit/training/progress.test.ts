import assert from 'node:assert/strict';
import { describeProgress, parseProgressLine, progressBar, ProgressTracker } from '../../../core/training/progress';

const feed = (lines: string[]) => {
  const t = new ProgressTracker();
  for (const l of lines) t.feed(l);
  return t.get();
};

describe('training progress from log lines', () => {
  it('reads a tqdm bar, including the last redraw of a \\r-separated line', () => {
    const line = ' 10%|█         | 100/1000 [00:05<00:45, 19.9it/s]\r 45%|████▌     | 450/1000 [00:22<00:27, 20.1it/s, loss=0.231]';
    const p = parseProgressLine(line)!;
    assert.equal(p.percent, 45);
    assert.equal(p.step, 450);
    assert.equal(p.steps, 1000);
    assert.equal(p.loss, 0.231);
  });

  it('reads Keras epochs and step bars and places the percentage inside the epoch', () => {
    const p = feed(['Epoch 3/10', '120/1000 [==>...........................] - ETA: 1:23 - loss: 0.4321 - accuracy: 0.8700']);
    assert.equal(p.epoch, 3);
    assert.equal(p.epochs, 10);
    assert.equal(p.loss, 0.4321);
    assert.equal(p.metrics.accuracy, 0.87);
    assert.equal(p.percent, 21.2);
    assert.equal(feed(['Epoch 3/10']).percent, 20, 'a bare header starts epoch 3: two are done');
  });

  it('reads the PyTorch MNIST example format', () => {
    const p = feed(['Train Epoch: 2 [32000/60000 (53%)]\tLoss: 0.283124']);
    assert.equal(p.epoch, 2);
    assert.equal(p.loss, 0.283124);
    assert.equal(p.percent, undefined, 'no total number of epochs, no overall percentage');
  });

  it('reads Hugging Face Trainer log dicts next to its tqdm bar', () => {
    const p = feed([
      "{'loss': 1.2345, 'grad_norm': 3.21, 'learning_rate': 4.5e-05, 'epoch': 0.5}",
      ' 25%|██▌       | 250/1000 [01:40<05:00,  2.50it/s]',
    ]);
    assert.equal(p.loss, 1.2345);
    assert.equal(p.epoch, 0.5);
    assert.equal(p.metrics.learning_rate, 4.5e-5);
    assert.equal(p.metrics.grad_norm, 3.21);
    assert.equal(p.percent, 25);
    assert.equal(p.step, 250);
  });

  it('reads Lightning bars (epochs counted from 0) with the total from the max epochs', () => {
    const p = feed(['Epoch 4/9:  50%|█████     | 50/100 [00:10<00:10,  5.00it/s, v_num=0, train_loss=0.512]']);
    assert.equal(p.epoch, 5);
    assert.equal(p.epochs, 10);
    assert.equal(p.loss, 0.512);
    assert.equal(p.percent, 45);
  });

  it('reads plain "epoch / step / loss" lines and keeps totals once seen', () => {
    const p = feed(['Initializing process group: rank 0/4 backend=nccl', 'epoch 1 step 100 loss 2.3000 acc 0.70', 'epoch 2 step 200 loss 1.1500 acc 0.80']);
    assert.equal(p.epoch, 2);
    assert.equal(p.step, 200);
    assert.equal(p.loss, 1.15);
    assert.equal(p.metrics.acc, 0.8);
    assert.equal(p.percent, undefined);
    const q = feed(['Step 500/2000 | loss=0.91 | lr=3e-4', '[step 1000/2000] loss: 0.72']);
    assert.equal(q.percent, 50);
    assert.equal(q.loss, 0.72);
    assert.equal(q.metrics.lr, 3e-4);
    const r = feed(['Starting training for 10 epochs', 'Epoch [4/10] train_loss=0.31 val_loss=0.42 accuracy=0.91']);
    assert.equal(r.epoch, 4);
    assert.equal(r.percent, 40, 'a line with metrics ends its epoch');
    assert.equal(r.metrics.val_loss, 0.42);
  });

  it('ignores lines that say nothing about progress, and val_loss is not the loss', () => {
    assert.equal(parseProgressLine('Downloading https://example.com/data.tar.gz'), undefined);
    assert.equal(parseProgressLine('NCCL INFO Channel 00/02 :    0   1   2   3'), undefined);
    assert.equal(parseProgressLine('val_loss: 0.5')!.loss, undefined);
    assert.equal(parseProgressLine('Traceback (most recent call last):'), undefined);
  });

  it('renders a bar and a one-line description', () => {
    assert.equal(progressBar(42), '▰▰▰▰▱▱▱▱▱▱ 42%');
    assert.equal(progressBar(100), '▰▰▰▰▰▰▰▰▰▰ 100%');
    assert.equal(describeProgress({ epoch: 3, epochs: 10, step: 300, loss: 0.43219, metrics: { accuracy: 0.87 } }), 'epoch 3/10 · step 300 · loss 0.4322 · accuracy 0.87');
  });
});
