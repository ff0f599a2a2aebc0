// A TCP proxy in front of a server (the apiserver of the kube rig) that counts the connections made through it and
// can cut them all, like a flaky network.
import net from 'node:net';

export interface TcpProxy {
  /** `https://127.0.0.1:<port>`: the target's URL through the proxy. */
  url: string;
  /** How many connections were opened through the proxy so far. */
  connections(): number;
  /** Destroys every open connection; returns how many sockets it destroyed. */
  cut(): number;
  close(): void;
}

export async function tcpProxy(target: string): Promise<TcpProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<net.Socket>();
  let count = 0;
  const server = net.createServer((client) => {
    count++;
    const upstream = net.connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => (client.destroy(), upstream.destroy(), sockets.delete(client), sockets.delete(upstream));
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const cut = (): number => {
    const n = sockets.size;
    for (const s of sockets) s.destroy();
    return n;
  };
  return {
    url: `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    connections: () => count,
    cut,
    close: () => {
      cut();
      server.close();
    },
  };
}
