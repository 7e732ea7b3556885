/** The tail of a sandbox's main.ts: close the server on SIGTERM/SIGINT (what stop sends), then listen. */
import type { FastifyInstance } from 'fastify';

export async function serveUntilSignalled(app: FastifyInstance, address: { readonly host: string; readonly port: number }): Promise<void> {
  const shutdown = () => {
    app.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  await app.listen({ host: address.host, port: address.port });
}
