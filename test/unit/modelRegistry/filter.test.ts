// What the palette's Archive and Restore offer: only the models whose state they change (issue 22).
import assert from 'node:assert/strict';
import { modelsToSet } from '../../../core/modelRegistry/filter';
import type { RegisteredModel } from '../../../core/modelRegistry/types';

const models: RegisteredModel[] = [
  { id: '1', name: 'mnist', state: 'LIVE' },
  { id: '2', name: 'old-bert', state: 'ARCHIVED' },
  // A registry may leave the state out: the model is live.
  { id: '3', name: 'iris' },
  { id: '4', name: 'retired', state: 'ARCHIVED' },
];

describe('Archive/Restore from the palette (core/modelRegistry/filter.ts)', () => {
  it('Archive offers the live models, those without a state too, never an archived one', () => {
    assert.deepEqual(modelsToSet(models, 'ARCHIVED').map((m) => m.name), ['mnist', 'iris']);
  });

  it('Restore offers only the archived models', () => {
    assert.deepEqual(modelsToSet(models, 'LIVE').map((m) => m.name), ['old-bert', 'retired']);
  });

  it('nothing to offer when every model is already in the state', () => {
    assert.deepEqual(modelsToSet(models.filter((m) => m.state === 'ARCHIVED'), 'ARCHIVED'), []);
  });
});
