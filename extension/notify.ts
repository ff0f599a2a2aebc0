/**
 * The only way the extension shows a notification. VS Code renders `[label](target)` in a notification message as a
 * link (`https:`, `file:` and `command:` targets), and our messages carry text from clusters and servers (API error
 * messages, pod events, Jupyter and KFP answers). Every message goes through `plainText` first, so a hostile server
 * cannot put a clickable link, let alone a command link, in front of the user.
 */
import * as vscode from 'vscode';
import { plainText } from './plainText';

type Show = typeof vscode.window.showInformationMessage;
const via = (show: () => Show): Show => ((message: string, ...rest: unknown[]) => (show() as (m: string, ...r: unknown[]) => Thenable<unknown>)(plainText(message), ...rest)) as Show;

export const showInformationMessage: Show = via(() => vscode.window.showInformationMessage);
export const showWarningMessage: Show = via(() => vscode.window.showWarningMessage);
export const showErrorMessage: Show = via(() => vscode.window.showErrorMessage);
