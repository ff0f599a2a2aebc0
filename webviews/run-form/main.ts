// Entry of the "Submit Pipeline Run" form (bundled to dist/webviews/run-form.js).
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeProgressRing,
  vsCodeRadio,
  vsCodeRadioGroup,
  vsCodeTextArea,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';
import { addStyles, connect } from '../shared/ipc';
import { FormApp, type FormState } from './app';
import type { FromForm, ToForm } from './protocol';
import css from './styles.css';

// Child elements (options, radios) render nothing unless registered too.
provideVSCodeDesignSystem().register(
  vsCodeButton(),
  vsCodeTextField(),
  vsCodeTextArea(),
  vsCodeDropdown(),
  vsCodeOption(),
  vsCodeRadioGroup(),
  vsCodeRadio(),
  vsCodeProgressRing(),
);
addStyles(css);

const root = document.getElementById('app') ?? document.body;
root.classList.add('run-form');
const app = new FormApp(root);
app.attach(connect<ToForm, FromForm, FormState>((msg) => app.receive(msg)));
