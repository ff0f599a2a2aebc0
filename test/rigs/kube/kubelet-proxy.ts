// The kubelet endpoint the apiserver dials for a node (its kubelet port): terminates TLS and passes each connection
// on to kwok's own port in plain HTTP, remembering which pod a connection serves (from the request lines it
// carries: /portForward/NS/POD, /containerLogs/NS/POD/…, /exec/…, /attach/…). kwok itself never ends a pod's
// streams: its port-forward tunnel waits for the client to close even after the target went away, and a log follow
// never ends. A kubelet does end them when the pod's containers stop; so the rig watches pods and, when one is
// being deleted, closes its connections here: the apiserver then ends the client's port-forward, log follow or exec.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';

export interface KubeletProxy {
  /** The port nodes advertise as their kubelet endpoint. */
  port: number;
  /** Closes every connection that serves namespace/pod; returns how many. */
  podGone(namespace: string, pod: string): number;
  close(): void;
}

const REQUEST = /(?:^|\r\n)[A-Z]+ \/(portForward|containerLogs|exec|attach)\/([^/\s?]+)\/([^/\s?]+)/g;

export async function kubeletProxy(o: { kwokPort: number; cert: Buffer; key: Buffer }): Promise<KubeletProxy> {
  const pods = new Map<net.Socket, string>();
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ cert: o.cert, key: o.key }, (client) => {
    const upstream = net.connect(o.kwokPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    let carry = '';
    let dedicated = false;
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
      pods.delete(client);
    };
    client.on('data', (chunk: Buffer) => {
      if (!dedicated) {
        // Requests on a kept-alive connection follow each other: the latest request line names the pod. After an
        // upgrade (port-forward, exec, attach) the connection carries that stream only.
        const text = carry + chunk.toString('latin1');
        for (const m of text.matchAll(REQUEST)) {
          pods.set(client, `${m[2]}/${m[3]}`);
          if (m[1] !== 'containerLogs') dedicated = true;
        }
        carry = text.slice(Math.max(text.lastIndexOf('\r\n'), text.length - 512));
      }
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.pipe(client);
    client.on('end', () => upstream.end());
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  server.unref();
  return {
    port: (server.address() as net.AddressInfo).port,
    podGone(namespace, pod) {
      let n = 0;
      for (const [socket, p] of pods) {
        if (p !== `${namespace}/${pod}`) continue;
        socket.destroy();
        n++;
      }
      return n;
    },
    close() {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}

/**
 * Watches every pod and calls `gone` when one is being deleted (deletionTimestamp set, or deleted outright), once
 * per pod uid. Re-watches when the watch ends. Nothing here keeps the process alive.
 */
export function watchPodDeletions(o: { server: string; ca: Buffer; cert: Buffer; key: Buffer }, gone: (namespace: string, pod: string) => void): { stop(): void } {
  let stopped = false;
  let request: http.ClientRequest | undefined;
  const seen = new Set<string>();
  const watch = (): void => {
    if (stopped) return;
    let rest = '';
    let again = false;
    const retry = (ms: number): void => {
      if (again) return;
      again = true;
      setTimeout(watch, ms).unref();
    };
    request = https.get(`${o.server}/api/v1/pods?watch=true`, { ca: o.ca, cert: o.cert, key: o.key, agent: false }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        const lines = (rest + d).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.trim()) continue;
          const ev = JSON.parse(line) as { type: string; object: { metadata?: { uid?: string; name?: string; namespace?: string; deletionTimestamp?: string } } };
          const m = ev.object.metadata;
          if (!m?.name || !m.namespace || !m.uid) continue;
          if ((ev.type === 'DELETED' || m.deletionTimestamp) && !seen.has(m.uid)) {
            seen.add(m.uid);
            gone(m.namespace, m.name);
          }
        }
      });
      res.on('close', () => retry(200));
    });
    request.on('socket', (s) => s.unref());
    request.on('error', () => retry(500));
  };
  watch();
  return {
    stop() {
      stopped = true;
      request?.destroy();
    },
  };
}
