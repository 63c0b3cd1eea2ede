// ClickHouse's HTTP interface, the part @clickhouse/client uses, served by chdb: ClickHouse 26.x
// running in this process, without a server. The project's own code (migrate, ingest's writer,
// the rules, the reporter, the API, the testkit) then talks to a current ClickHouse through its
// real client and its real connection settings, exactly as it talks to the 18.16 server of the
// local stack: nothing of it is replaced or mocked, only the transport ends here instead of at a
// clickhouse-server.
//
// What a real server does per request, and how it is done here:
// - every request starts from the default settings: each one runs in a fresh chdb Session (a new
//   query context on the same data; creating one costs well under a millisecond), so a setting or
//   a query parameter of one request never leaks into the next;
// - URL parameters other than the HTTP ones are settings (`SET name = value`), `param_<name>` are
//   query parameters, bound from the same text the HTTP server receives (`SET param_<name>`), and
//   `database` selects the database (`USE`);
// - the statement is the `query` URL parameter followed by the body (INSERT … FORMAT x + rows), or
//   the body alone; the answer is the result in the statement's FORMAT (TabSeparated without one);
// - an error answers 500 with ClickHouse's `Code: N. DB::Exception: …` text and the
//   X-ClickHouse-Exception-Code header, which is what the client turns into a ClickHouseError.
// Requests run one at a time: chdb runs one engine per process, and the tests need no more.
import { Session } from 'chdb';
import { createServer } from 'node:http';

/** URL parameters that are not settings of the query (the HTTP layer's own). */
const HTTP_PARAMETERS = new Set(['query', 'database', 'query_id', 'session_id', 'default_format']);
/** Settings that only the HTTP layer knows; the embedded engine rejects them. */
const HTTP_ONLY_SETTINGS = new Set([
  'wait_end_of_query',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
  'enable_http_compression',
  'http_zlib_compression_level',
]);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A ClickHouse string literal whose value is exactly `text` (the HTTP server's raw value). */
const literal = (text) => `'${text.replace(/[\\']/g, (ch) => `\\${ch}`)}'`;

function statementsOf(url) {
  const setup = [];
  for (const [name, value] of url.searchParams) {
    if (HTTP_PARAMETERS.has(name) || HTTP_ONLY_SETTINGS.has(name)) continue;
    if (!NAME.test(name)) throw new Error(`Code: 115. DB::Exception: Unknown setting ${name}`);
    setup.push(`SET ${name} = ${literal(value)}`);
  }
  const database = url.searchParams.get('database');
  if (database) setup.push(`USE \`${database.replace(/`/g, '')}\``);
  return setup;
}

async function readBody(request) {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Text of a chdb error as the HTTP server words it ("Code: 60. DB::Exception: …"). */
function errorText(error) {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^Query failed: /, '');
}

/**
 * Starts the HTTP interface on 127.0.0.1 (port 0: any free one) over the chdb data directory
 * `path`. Returns its URL, the engine's version and `close()`.
 */
export async function startChdbHttp({ path, port = 0 }) {
  // Held open for the server's life, so the engine and its data stay loaded between requests.
  const anchor = new Session(path);
  const version = anchor.query('SELECT version()', 'TabSeparated').trim();
  let queue = Promise.resolve();

  async function execute(url, body) {
    const session = new Session(path);
    try {
      for (const statement of statementsOf(url)) await session.queryAsync(statement);
      const query = url.searchParams.get('query');
      // An INSERT whose body holds no rows stores nothing; chdb would call it an error.
      if (query && body.trim() === '') return { text: '', written: 0 };
      const sql = query ? `${query}\n${body}` : body;
      const result = await session.queryAsync(sql, {
        format: url.searchParams.get('default_format') ?? 'TabSeparated',
      });
      return { text: result.text(), read: result.rowsRead, bytes: result.bytesRead };
    } finally {
      session.close();
    }
  }

  const server = createServer(
    // ClickHouse accepts URLs up to 1 MiB (http_max_uri_size); Node's default is 16 KiB.
    { maxHeaderSize: 1_048_576 },
    (request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname === '/ping') {
        response.end('Ok.\n');
        return;
      }
      const work = queue.then(async () => {
        const body = await readBody(request);
        if (
          request.headers['content-encoding'] ||
          request.headers['content-type']?.startsWith('multipart/')
        ) {
          throw new Error(
            'Code: 1. DB::Exception: compressed or multipart bodies are not served here',
          );
        }
        return execute(url, body);
      });
      queue = work.catch(() => undefined);
      work.then(
        ({ text, read = 0, bytes = 0 }) => {
          response.setHeader(
            'X-ClickHouse-Summary',
            JSON.stringify({ read_rows: String(read), read_bytes: String(bytes) }),
          );
          response.end(text);
        },
        (error) => {
          const text = errorText(error);
          response.statusCode = 500;
          response.setHeader('X-ClickHouse-Exception-Code', /^Code: (\d+)/.exec(text)?.[1] ?? '1');
          response.end(`${text}\n`);
        },
      );
    },
  );
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address();
  return {
    url: `http://127.0.0.1:${bound}`,
    version,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await queue;
      anchor.close();
    },
  };
}
