// The HTTP server inside your own program, over an artifacts folder written by `mmrecall-train train`
// (the folder comes from MMRECALL_EXAMPLE_ARTIFACTS, default runs/demo/artifacts).
import { createRecallServer } from '@mmrecall/recall-server';
import { selectBackend } from '@mmrecall/runtime';

const artifactsDir = process.env.MMRECALL_EXAMPLE_ARTIFACTS ?? 'runs/demo/artifacts';
await selectBackend({ backend: 'auto' }); // the app picks the tfjs backend, never the library
const server = createRecallServer({
  artifactsDir,
  index: 'hnsw',
  adminToken: process.env.MMRECALL_ADMIN_TOKEN,
  bodyLimit: 1024 * 1024,
  logger: { level: 'warn' },
});
const address = await server.app.listen({ port: 0, host: '127.0.0.1' }); // port 0: any free port
await server.ready; // first load done (rejects if it failed)
const response = await fetch(`${address}/v1/recall/i2i`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ itemId: 'i0000', k: 3 }),
});
console.log(response.status, await response.json()); // 200 { items: [{ id, score }, ...], model }
const reloaded = await server.reload(artifactsDir); // same as POST /v1/admin/reload
console.log('reloaded', reloaded.items, 'items');
await server.close(); // graceful: in-flight requests finish, then model and index are freed
