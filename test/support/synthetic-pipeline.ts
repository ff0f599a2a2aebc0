// A synthetic compiled KFP pipeline of any size, shaped like real ones: tasks in waves that read parameters and
// artifacts of the previous few waves, some `.after()` dependencies, and ParallelFor loops with their own bodies.
// Deterministic for a seed. Used by the large-graph tests and `npm run bench` (written with js-yaml's dump, which
// stays fast for the 111,782-task size).
import { dump } from 'js-yaml';

export interface SyntheticOptions {
  /** Total tasks, loop tasks and loop bodies included. */
  tasks: number;
  loops?: number;
  tasksPerLoop?: number;
  /** Tasks per wave at the root (how wide the graph is). */
  width?: number;
  seed?: number;
}

export interface Synthetic {
  text: string;
  /** Tasks at the root level. */
  rootTasks: number;
  tasks: number;
  artifactProducers: number;
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0xffffffff;
  };
}

const param = (type = 'STRING', optional = true) => ({ parameterType: type, ...(optional ? { isOptional: true } : {}) });
const container = (image: string, fn: string) => ({
  container: {
    image,
    command: ['sh', '-c', 'python3 -m kfp.dsl.executor_main "$@"', '--'],
    args: ['--executor_input', '{{$}}', '--function_to_execute', fn],
    resources: { cpuLimit: 1, memoryLimit: 2 },
  },
});

export function syntheticPipeline(options: SyntheticOptions): Synthetic {
  const loops = options.loops ?? Math.min(10, Math.floor(options.tasks / 200));
  const perLoop = options.tasksPerLoop ?? 40;
  const rootCount = options.tasks - loops * (perLoop + 1);
  if (rootCount < 1) throw new Error('not enough tasks for the loops asked for');
  const width = options.width ?? Math.max(4, Math.round(Math.sqrt(rootCount) * 1.2));
  const rand = rng(options.seed ?? 42);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];

  const components: Record<string, unknown> = {
    'comp-step': { executorLabel: 'exec-step', inputDefinitions: { parameters: { a: param(), b: param() } }, outputDefinitions: { parameters: { Output: param('STRING', false) } } },
    'comp-produce': {
      executorLabel: 'exec-produce',
      inputDefinitions: { parameters: { a: param() } },
      outputDefinitions: { artifacts: { data: { artifactType: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' } } }, parameters: { Output: param('STRING', false) } },
    },
    'comp-consume': {
      executorLabel: 'exec-consume',
      inputDefinitions: { artifacts: { data: { artifactType: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' } } }, parameters: { a: param() } },
      outputDefinitions: { parameters: { Output: param('STRING', false) } },
    },
  };
  const executors = {
    'exec-step': container('python:3.11', 'step'),
    'exec-produce': container('python:3.11', 'produce'),
    'exec-consume': container('python:3.11', 'consume'),
  };

  const tasks: Record<string, unknown> = {};
  const waves: { name: string; kind: 'step' | 'produce' | 'consume' }[][] = [];
  const producers: string[] = [];
  let artifactProducers = 0;
  for (let i = 0; i < rootCount; i++) {
    const w = Math.floor(i / width);
    if (!waves[w]) waves[w] = [];
    const earlier = waves.slice(Math.max(0, w - 3), w).flat();
    const recentProducers = producers.slice(-8);
    const kind: 'step' | 'produce' | 'consume' = i % 6 === 0 ? 'produce' : i % 6 === 3 && recentProducers.length ? 'consume' : 'step';
    const name = `${kind}-${i}`;
    const inputs: { parameters: Record<string, unknown>; artifacts?: Record<string, unknown> } = { parameters: {} };
    const deps = new Set<string>();
    if (earlier.length) {
      const a = pick(earlier);
      inputs.parameters.a = { taskOutputParameter: { producerTask: a.name, outputParameterKey: 'Output' } };
      deps.add(a.name);
      if (kind === 'step' && rand() < 0.5) {
        const b = pick(earlier);
        inputs.parameters.b = { taskOutputParameter: { producerTask: b.name, outputParameterKey: 'Output' } };
        deps.add(b.name);
      }
    } else {
      inputs.parameters.a = { componentInputParameter: 'message' };
    }
    if (kind === 'consume') {
      const p = pick(recentProducers);
      inputs.artifacts = { data: { taskOutputArtifact: { producerTask: p, outputArtifactKey: 'data' } } };
      deps.add(p);
    }
    // An occasional `.after()` on a task two waves back: a control edge.
    if (w >= 2 && rand() < 0.08) deps.add(pick(waves[w - 2]).name);
    tasks[name] = {
      taskInfo: { name },
      componentRef: { name: `comp-${kind}` },
      cachingOptions: { enableCache: true },
      ...(deps.size ? { dependentTasks: [...deps].sort() } : {}),
      inputs,
    };
    waves[w].push({ name, kind });
    if (kind === 'produce') {
      producers.push(name);
      artifactProducers++;
    }
  }
  for (let k = 1; k <= loops; k++) {
    const body: Record<string, unknown> = {};
    for (let j = 0; j < perLoop; j++) {
      const name = `body-${k}-${j}`;
      body[name] = {
        taskInfo: { name },
        componentRef: { name: 'comp-step' },
        inputs: {
          parameters: {
            a: j === 0 ? { componentInputParameter: `pipelinechannel--loop-item-param-${k}` } : { taskOutputParameter: { producerTask: `body-${k}-${j - 1}`, outputParameterKey: 'Output' } },
          },
        },
        ...(j > 0 ? { dependentTasks: [`body-${k}-${j - 1}`] } : {}),
      };
    }
    components[`comp-for-loop-${k}`] = { dag: { tasks: body }, inputDefinitions: { parameters: { [`pipelinechannel--loop-item-param-${k}`]: param('STRING', false) } } };
    const after = pick(waves[Math.min(waves.length - 1, k)]).name;
    tasks[`for-loop-${k}`] = {
      taskInfo: { name: `for-loop-${k}` },
      componentRef: { name: `comp-for-loop-${k}` },
      dependentTasks: [after],
      parameterIterator: { itemInput: `pipelinechannel--loop-item-param-${k}`, items: { raw: JSON.stringify(['a', 'b', 'c', 'd']) } },
      iteratorPolicy: { parallelismLimit: 2 },
    };
  }
  const spec = {
    components,
    deploymentSpec: { executors },
    pipelineInfo: { name: `synthetic-${options.tasks}` },
    root: { dag: { tasks }, inputDefinitions: { parameters: { message: { parameterType: 'STRING', defaultValue: 'hello' } } } },
    schemaVersion: '2.1.0',
    sdkVersion: 'kfp-2.13.0',
  };
  return {
    text: `# PIPELINE DEFINITION\n# Name: synthetic-${options.tasks}\n${dump(spec, { lineWidth: -1, noRefs: true })}`,
    rootTasks: rootCount + loops,
    tasks: options.tasks,
    artifactProducers,
  };
}
