/**
 * Where a stored credential (bearer token, session cookie) may go. A gateway URL can come from a repository's
 * settings, so a credential is kept per endpoint origin (a token set for one gateway is never sent to another), and
 * it is never sent in clear text: plain `http:` only to this machine (the daemon's forwards, a local proxy).
 * Pure: no `vscode`, no I/O.
 */

/** 127.0.0.0/8, ::1 and `localhost`: traffic that does not leave this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** The origin of a gateway URL (`https://kubeflow.example.com`), the key its credential is stored under. */
export function endpointOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url.trim();
  }
}

const CREDENTIAL_HEADERS = ['authorization', 'cookie'];

/**
 * Why these headers must not be sent to `url`, or undefined when they may: a credential header over plain http to
 * another machine.
 */
export function credentialProblem(url: string, headers: Record<string, string>): string | undefined {
  if (!Object.keys(headers).some((k) => CREDENTIAL_HEADERS.includes(k.toLowerCase()))) return undefined;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `${url} is not a URL; the stored credential is not sent.`;
  }
  if (u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname))) return undefined;
  return `The stored credential is not sent to ${u.origin}: ${u.protocol === 'http:' ? 'plain http would carry it in clear text' : `${u.protocol} is not https`}. Use an https:// URL for the gateway.`;
}
