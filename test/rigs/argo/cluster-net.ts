// Cluster networking for the played pods (part of the pod player's stand-in): what cluster DNS and kube-proxy give a
// pod. Each Service named here gets its own loopback address (127.77.R.N, R random per rig so parallel rigs do not
// collide; all of 127/8 is local on Linux) with a TCP
// relay on each of its ports to the local server behind it, and the pod's /etc/hosts names it as
// `<name>`, `<name>.<ns>`, `<name>.<ns>.svc` and `<name>.<ns>.svc.cluster.local`. So a compiled KFP pipeline's
// `metadata-grpc-service.kubeflow.svc.cluster.local:8080` or `minio-service.kubeflow:9000` reach the rig's MLMD and
// S3 store unchanged, from Go (pure resolver: /etc/hosts) and Python alike.
import net from 'node:net';

export interface ServiceRoute {
  name: string;
  namespace: string;
  /** Service port -> local target. */
  ports: Array<{ port: number; target: { host: string; port: number } }>;
}

export interface ClusterNet {
  /** /etc/hosts for a pod of `namespace` (short names resolve for Services of its own namespace). */
  hostsFile(namespace: string): string;
  close(): void;
}

export async function startClusterNet(routes: ServiceRoute[]): Promise<ClusterNet> {
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  const entries: Array<{ ip: string; route: ServiceRoute }> = [];
  const r8 = 1 + Math.floor(Math.random() * 254);
  let n = 1;
  try {
    for (const route of routes) {
      const ip = `127.77.${r8}.${n++}`;
      entries.push({ ip, route });
      for (const p of route.ports) {
        const server = net.createServer((client) => {
          const upstream = net.connect(p.target.port, p.target.host);
          for (const s of [client, upstream]) {
            sockets.add(s);
            s.on('close', () => sockets.delete(s));
            s.on('error', () => { client.destroy(); upstream.destroy(); });
          }
          client.pipe(upstream).pipe(client);
        });
        servers.push(server);
        await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(p.port, ip, () => resolve()); });
        server.unref();
      }
    }
  } catch (e) {
    for (const s of servers) s.close();
    throw new Error(`pod player: cannot listen for the cluster's services: ${String((e as Error).message ?? e)}`);
  }
  return {
    hostsFile(namespace) {
      const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
      for (const { ip, route: r } of entries) {
        const fq = [`${r.name}.${r.namespace}`, `${r.name}.${r.namespace}.svc`, `${r.name}.${r.namespace}.svc.cluster.local`];
        lines.push(`${ip}\t${[...(r.namespace === namespace ? [r.name] : []), ...fq].join(' ')}`);
      }
      return lines.join('\n') + '\n';
    },
    close() {
      for (const s of servers) s.close();
      for (const s of sockets) s.destroy();
    },
  };
}
