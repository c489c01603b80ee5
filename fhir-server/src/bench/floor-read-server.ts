/**
 * Child process: the read floor. A bare node:http server (PORT, DATABASE_URL) that answers
 * `GET /fhir/{type}/{id}` with the stored JSON from Qiao's own `resource` table, through a pg pool
 * of Qiao's default size: the least any server must do to serve a read from that database.
 */
import http from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
const SELECT = 'SELECT content FROM resource WHERE resource_type = $1 AND id = $2';

const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const [, fhir, type, id] = (req.url ?? '').split('/');
  if (fhir !== 'fhir' || !type || !id) {
    res.writeHead(404).end();
    return;
  }
  pool.query<{ content: string | null }>(SELECT, [type, id]).then(
    ({ rows }) => {
      const content = rows[0]?.content;
      if (content) res.writeHead(200, { 'Content-Type': 'application/fhir+json' }).end(content);
      else res.writeHead(404).end();
    },
    () => res.writeHead(500).end(),
  );
});
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => void pool.end().then(() => process.exit(0)));
});
