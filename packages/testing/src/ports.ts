import { createServer } from 'node:net';

// Ports for the processes a test starts (sandboxes, services, proxies, receivers). A fixed port per test made two
// test runs on one machine (two clones, or a test file run by hand beside the suite) take each other's sandboxes or
// fail with "already served"; each port is now one the OS lets us bind at that moment, so runs keep apart.
// They are drawn below the OS's ephemeral range (Linux: 32768–60999), so an outgoing connection cannot take one
// between its check here and the process binding it; a process never hands out the same port twice.
const LOW = 20_000;
const HIGH = 32_000;
const handedOut = new Set<number>();

const bindable = (port: number) => new Promise<boolean>((resolve) => {
  const server = createServer();
  server.once('error', () => resolve(false));
  server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
});

/** A TCP port on 127.0.0.1 that is free now and not handed out before by this process. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (handedOut.has(port)) continue;
    if (await bindable(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port found in ${LOW}–${HIGH - 1}`);
}

/** The port the environment variable `name` names (to pin one while debugging), otherwise a free one. */
export async function testPort(name?: string): Promise<number> {
  const pinned = name ? process.env[name] : undefined;
  if (pinned === undefined || pinned === '') return freePort();
  const port = Number(pinned);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`${name}=${pinned} is not a port`);
  return port;
}
