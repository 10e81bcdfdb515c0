// SPDX-License-Identifier: Apache-2.0
// postgres-migrations is a library; this is the smallest CLI around it. Usage: URL DIR
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const { migrate } = require("postgres-migrations");
const pg = require("pg");

const [url, dir] = process.argv.slice(2);
const client = new pg.Client({ connectionString: url });
await client.connect();
try {
  await migrate({ client }, dir, { logger: () => {} });
} finally {
  await client.end();
}
