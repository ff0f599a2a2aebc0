// Entry of the pipeline graph panel (bundled to dist/webviews/pipeline-graph.js).
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDataGrid,
  vsCodeDataGridCell,
  vsCodeDataGridRow,
  vsCodeProgressRing,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';
import { addStyles, connect } from '../shared/ipc';
import { GraphApp } from './app';
import type { FromGraph, GraphViewState, ToGraph } from './protocol';
import css from './styles.css';

// The data grid renders nothing unless its row and cell elements are registered too.
provideVSCodeDesignSystem().register(
  vsCodeButton(),
  vsCodeCheckbox(),
  vsCodeTextField(),
  vsCodeProgressRing(),
  vsCodeDataGrid(),
  vsCodeDataGridRow(),
  vsCodeDataGridCell(),
);
addStyles(css);

const root = document.getElementById('app') ?? document.body;
root.classList.add('graph-app');
const app = new GraphApp(root);
app.attach(connect<ToGraph, FromGraph, GraphViewState>((msg) => app.receive(msg)));
