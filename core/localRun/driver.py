"""Kubeflow for VS Code: the local-run driver. Runs a KFP pipeline (or one component) with the kfp SDK's own local
runner (kfp.local, SubprocessRunner) and reports what happens as JSON lines on its stdout: task starts, each log line
as it is written, outputs, failures with the traceback mapped onto the component's own source file, and the end.

The messages are typed in protocol.ts next to this file (owned here, read by runner.node.ts). Everything else the
pipeline's code prints goes to stderr, so the event stream stays parseable.

    python driver.py run <file.py> <pipeline function or ''> <request.json>
    python driver.py component <file.py> <component function> <request.json>   (in process: for the debugger)
"""
import contextvars
import importlib.util
import inspect
import json
import os
import re
import subprocess
import sys
import threading
import time
import traceback

# Events go to the real stdout; anything else written to fd 1 (prints of the user's module, C code) goes to stderr.
_events = os.fdopen(os.dup(1), 'w', buffering=1, encoding='utf-8')
os.dup2(2, 1)
sys.stdout = sys.stderr
_lock = threading.Lock()


def emit(obj):
    obj.setdefault('at', int(time.time() * 1000))
    line = json.dumps(obj, default=str)
    with _lock:
        _events.write(line + '\n')
        _events.flush()


def done(state, **extra):
    emit(dict(type='done', state=state, **extra))
    _events.close()
    os._exit(0)


MODE, SOURCE, NAME, REQUEST = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3], sys.argv[4]
with open(REQUEST, encoding='utf-8') as f:
    request = json.load(f)

try:
    import kfp
    from kfp import dsl, local
    from kfp.dsl.graph_component import GraphComponent
    from kfp.dsl.python_component import PythonComponent
    from kfp.local import subprocess_task_handler
    from kfp.local.orchestrator import enhanced_dag_orchestrator, task_executor
    from kfp.local.orchestrator.orchestrator_utils import OrchestratorUtils
except Exception as exc:  # no kfp, or one without kfp.local
    done('failed', error=dict(kind='no-kfp', message='%s: %s' % (type(exc).__name__, exc)), python=sys.executable)

emit(dict(type='hello', kfp=getattr(kfp, '__version__', ''), python=sys.executable, pid=os.getpid()))


def line_in_source(exc):
    if isinstance(exc, SyntaxError) and exc.filename and os.path.abspath(exc.filename) == SOURCE:
        return exc.lineno
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if os.path.abspath(frame.filename) == SOURCE:
            return frame.lineno
    return None


sys.path.insert(0, os.path.dirname(SOURCE))
try:
    spec = importlib.util.spec_from_file_location('__kfvs_local__', SOURCE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
except BaseException as exc:
    err = dict(kind='import', message=''.join(traceback.format_exception_only(type(exc), exc)).strip())
    line = line_in_source(exc)
    if line:
        err['source'] = dict(file=SOURCE, line=line)
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        err['missingModule'] = exc.name
    done('failed', error=err)

# --- Where each component's function is defined (to map tracebacks of the ephemeral copy back to it) ----------------
_defs = {}


def _note_component(obj):
    fn = getattr(obj, 'python_func', None)
    if fn is None or fn.__name__ in _defs:
        return
    try:
        lines, start = inspect.getsourcelines(fn)
        offset = next(i for i, l in enumerate(lines) if re.match(r'\s*(async\s+)?def\s', l))
        _defs[fn.__name__] = dict(file=os.path.abspath(inspect.getsourcefile(fn)), line=start + offset)
    except (OSError, TypeError, StopIteration):
        pass


here = os.path.dirname(SOURCE)
for mod in list(sys.modules.values()):
    f = getattr(mod, '__file__', None)
    if mod is module or (f and os.path.abspath(f).startswith(here + os.sep)):
        for obj in list(vars(mod).values()):
            if isinstance(obj, PythonComponent):
                _note_component(obj)

_FRAME = re.compile(r'^(\s*)File "([^"]*ephemeral_component\.py)", line (\d+)(.*)$')


def map_traceback(lines, program, fn_name):
    """The last traceback in a task's output, with the ephemeral copy's frames pointing at the component's file."""
    starts = [i for i, l in enumerate(lines) if l.startswith('Traceback (most recent call last)')]
    if not starts:
        return None
    block = lines[starts[-1]:]
    # The block ends at the exception line: the first unindented line after the header.
    end = next((i for i in range(1, len(block)) if block[i] and not block[i][0].isspace()), None)
    if end is not None:
        block = block[:end + 1]
    eph_def = None
    if program:
        for i, l in enumerate(program.split('\n')):
            if re.match(r'\s*(async\s+)?def\s+%s\s*\(' % re.escape(fn_name), l):
                eph_def = i + 1
                break
    target = _defs.get(fn_name)
    source = None
    out = []
    for l in block:
        m = _FRAME.match(l)
        if m and eph_def and target:
            line = target['line'] + int(m.group(3)) - eph_def
            source = dict(file=target['file'], line=line)
            out.append('%sFile "%s", line %d%s' % (m.group(1), target['file'], line, m.group(4)))
        else:
            out.append(l)
    message = out[-1].strip() if out else ''
    error = dict(message=message, traceback='\n'.join(out))
    if source:
        error['source'] = source
    m = re.match(r"ModuleNotFoundError: No module named '([^']+)'", message)
    if m:
        error['missingModule'] = m.group(1)
    return error


# --- Which task is running: a context per task, carried into kfp's ParallelFor threads ------------------------------
_where = contextvars.ContextVar('kfvs_where', default=((), None))  # (path of DAG tasks, iteration)
_task = contextvars.ContextVar('kfvs_task', default=None)  # dict of the running leaf task
_ITER = re.compile(r'^(.*)-iteration-(\d+)$')

import concurrent.futures as _cf

_Pool = _cf.ThreadPoolExecutor


class _ContextPool(_Pool):
    def submit(self, fn, /, *args, **kwargs):
        return super().submit(contextvars.copy_context().run, fn, *args, **kwargs)


_cf.ThreadPoolExecutor = _ContextPool

_orig_execute_task = enhanced_dag_orchestrator.execute_task


def _execute_task(task_name, task_spec, components, **kw):
    comp = components.get(task_spec.component_ref.name)
    if comp is None or comp.WhichOneof('implementation') != 'dag':
        return _orig_execute_task(task_name=task_name, task_spec=task_spec, components=components, **kw)
    path, iteration = _where.get()
    m = _ITER.match(task_name)
    if m:  # one iteration of a ParallelFor: the loop's body DAG
        token = _where.set((path + (m.group(1),), int(m.group(2))))
    else:
        token = _where.set((path + (task_name,), iteration))
    try:
        return _orig_execute_task(task_name=task_name, task_spec=task_spec, components=components, **kw)
    finally:
        _where.reset(token)


enhanced_dag_orchestrator.execute_task = _execute_task

_orig_single = task_executor.execute_single_task
_seen = {}


def _outputs_json(outputs):
    params, artifacts = {}, {}
    for k, v in (outputs or {}).items():
        items = v if isinstance(v, list) and v and all(isinstance(a, dsl.Artifact) for a in v) else [v]
        if all(isinstance(a, dsl.Artifact) for a in items):
            artifacts[k] = [dict(name=a.name, uri=a.uri, path=getattr(a, 'path', None), type=a.schema_title, metadata=a.metadata) for a in items]
        else:
            params[k] = v
    return dict(parameters=params, artifacts=artifacts)


def _execute_single_task(task_name, task_spec, **kw):
    path, iteration = _where.get()
    key = dict(path=list(path), task=task_name)
    if iteration is not None:
        key['iteration'] = iteration
    info = dict(key=key, lines=[], program=None, fn=None, ran=False)
    token = _task.set(info)
    try:  # the task's resolved inputs, so Debug Component can run it again with them
        args = OrchestratorUtils.make_task_arguments(task_inputs_spec=task_spec.inputs, io_store=kw['io_store'])
        inputs = {k: (dict(name=v.name, uri=v.uri, type=v.schema_title, metadata=v.metadata) if isinstance(v, dsl.Artifact) else v) for k, v in args.items()}
    except Exception:
        inputs = None
    emit(dict(type='taskStarted', component=task_spec.component_ref.name, **({'inputs': inputs} if inputs is not None else {}), **key))
    try:
        outputs, st = _orig_single(task_name=task_name, task_spec=task_spec, **kw)
    except BaseException as exc:
        emit(dict(type='taskFinished', state='failed', error=dict(message='%s: %s' % (type(exc).__name__, exc), traceback=traceback.format_exc()), **key))
        raise
    finally:
        _task.reset(token)
    if st.name == 'SUCCESS':
        emit(dict(type='taskFinished', state='succeeded' if info['ran'] or task_spec.component_ref.name.startswith('comp-importer') else 'cached', outputs=_outputs_json(outputs), **key))
    else:
        error = map_traceback(info['lines'], info['program'], info['fn'] or '') or dict(message='%s exited with an error' % task_name)
        emit(dict(type='taskFinished', state='failed', error=error, **key))
    return outputs, st


task_executor.execute_single_task = _execute_single_task


def _run_local_subprocess(full_command, env_vars=None):
    info = _task.get()
    env = {**os.environ, **(env_vars or {}), 'PYTHONUNBUFFERED': '1'}
    if info is not None:
        info['ran'] = True
        for i, part in enumerate(full_command):
            if '"$program_path/ephemeral_component.py"' in part and i + 1 < len(full_command):
                info['program'] = full_command[i + 1]
        if '--function_to_execute' in full_command:
            info['fn'] = full_command[full_command.index('--function_to_execute') + 1]
    with subprocess.Popen(full_command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1, env=env, errors='replace') as process:
        for line in iter(process.stdout.readline, ''):
            line = line.rstrip('\n')
            if info is not None:
                info['lines'].append(line)
                if len(info['lines']) > 5000:
                    del info['lines'][:1000]
                emit(dict(type='log', line=line, **info['key']))
        return process.wait()


subprocess_task_handler.run_local_subprocess = _run_local_subprocess


def find(kind, name):
    found = [(n, o) for n, o in vars(module).items() if isinstance(o, kind)]
    label = 'pipeline' if kind is GraphComponent else 'component'
    names = [getattr(getattr(o, 'pipeline_func', None) or getattr(o, 'python_func', None), '__name__', n) for n, o in found]
    chosen = [o for (n, o), fn in zip(found, names) if not name or fn == name or n == name]
    if not chosen:
        done('failed', error=dict(kind='no-' + label, message='No @dsl.%s %sin %s (found: %s).' % (label, 'named %s ' % name if name else '', os.path.basename(SOURCE), ', '.join(names) or 'none')))
    return chosen[0]


local.init(runner=local.SubprocessRunner(use_venv=bool(request.get('useVenv'))), pipeline_root=request['pipelineRoot'], raise_on_error=True)

if MODE == 'run':
    pipeline = find(GraphComponent, NAME)
    emit(dict(type='pipeline', name=pipeline.name, pipelineRoot=request['pipelineRoot']))
    try:
        result = pipeline(**request.get('arguments', {}))
    except BaseException as exc:
        message = ''.join(traceback.format_exception_only(type(exc), exc)).strip()
        message = re.sub(r'\x1b\[[0-9;]*m', '', message)
        done('failed', error=dict(kind='failed', message=message))
    outputs = result.outputs if hasattr(result, 'outputs') else {}
    done('succeeded', outputs=_outputs_json(outputs if isinstance(outputs, dict) else {'Output': outputs}))

elif MODE == 'component':
    # One component in this process, from the file itself (not the ephemeral copy): breakpoints in its body stop.
    from kfp.dsl import executor as component_executor
    from kfp.local import executor_input_utils, executor_output_utils
    comp = find(PythonComponent, NAME)
    spec_ = comp.pipeline_spec
    comp_name, component_spec = list(spec_.components.items())[0]
    arguments = {}
    for k, v in request.get('arguments', {}).items():
        if isinstance(v, dict) and 'uri' in v and 'type' in v:  # an artifact of an earlier local run
            cls = next((c for c in (dsl.Dataset, dsl.Model, dsl.Metrics, dsl.HTML, dsl.Markdown, dsl.ClassificationMetrics, dsl.SlicedClassificationMetrics, dsl.Artifact) if c.schema_title == v['type']), dsl.Artifact)
            arguments[k] = cls(name=v.get('name', k), uri=v['uri'], metadata=v.get('metadata') or {})
        else:
            arguments[k] = v
    task_root = os.path.join(request['pipelineRoot'], comp_name[len('comp-'):])
    executor_input = executor_input_utils.construct_executor_input(component_spec=component_spec, arguments=arguments, task_root=task_root, block_input_artifact=False)
    as_dict = executor_input_utils.executor_input_to_dict(executor_input=executor_input, component_spec=component_spec)
    key = dict(path=[], task=comp_name[len('comp-'):])
    emit(dict(type='taskStarted', component=comp_name, inputs=request.get('arguments', {}), **key))

    class _TaskLog:
        """The component's prints, as the task's log lines (and on stderr)."""
        def __init__(self):
            self.buf = ''

        def write(self, s):
            sys.stderr.write(s)
            self.buf += s
            while '\n' in self.buf:
                line, self.buf = self.buf.split('\n', 1)
                emit(dict(type='log', line=line, **key))
            return len(s)

        def flush(self):
            sys.stderr.flush()

    sys.stdout = _TaskLog()
    try:
        component_executor.Executor(executor_input=as_dict, function_to_execute=comp.python_func).execute()
        outputs = executor_output_utils.get_outputs_for_task(executor_input=executor_input, component_spec=component_spec)
    except BaseException as exc:
        err = dict(message=''.join(traceback.format_exception_only(type(exc), exc)).strip(), traceback=traceback.format_exc())
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if _defs.get(comp.python_func.__name__, {}).get('file') == os.path.abspath(frame.filename):
                err['source'] = dict(file=os.path.abspath(frame.filename), line=frame.lineno)
                break
        if isinstance(exc, ModuleNotFoundError) and exc.name:
            err['missingModule'] = exc.name
        emit(dict(type='taskFinished', state='failed', error=err, **key))
        done('failed', error=dict(kind='failed', message=err['message']))
    emit(dict(type='taskFinished', state='succeeded', outputs=_outputs_json(outputs), **key))
    done('succeeded', outputs=_outputs_json(outputs))
else:
    done('failed', error=dict(kind='failed', message='unknown mode %s' % MODE))
