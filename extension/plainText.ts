/**
 * Server-provided text made safe for a VS Code notification. Notifications render `[label](target)` as a link
 * (`https:`, `file:` and `command:` targets: VS Code's `parseLinkedText`); breaking up every `](` leaves the text
 * readable and makes no link. Pure: no `vscode`, so the unit tests check it.
 */
export function plainText(message: string): string {
  return message.replace(/\]\s*\(/g, '] (');
}
