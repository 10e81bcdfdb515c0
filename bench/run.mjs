// SPDX-License-Identifier: Apache-2.0
// schemagate's benchmarks: every figure is a median over repeated runs, printed as a ratio to
// a baseline measured in the same run, paired run by run (A B A B ...), because the machines
// here are shared and noisy. Usage (through bench/run.sh, which installs and builds):
//   node bench/run.mjs [--runs N] [--quick] [--out DIR] [--only NAME] [--skip NAME] [--delay-us N]
import { spawn, spawnSync, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir, cpus, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import http from "node:http";
import net from "node:net";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const require = createRequire(join(here, "peers", "package.json"));
const pg = require("pg");

// ---------------------------------------------------------------- options
const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const quick = argv.includes("--quick");
const runs = Number(option("--runs", quick ? 2 : 5));
const outDir = resolve(option("--out", join(here, "results")));
const only = option("--only", "");  // run only the scenarios whose name contains this
const skip = option("--skip", "");  // and not those whose name contains this
if (!Number.isInteger(runs) || runs < 1) {
  console.error("bench: --runs must be a positive integer");
  process.exit(3);
}
const plan = quick
  ? { noop: [20], apply: [20], applyLatency: [20], herd: [{ k: 5, n: 10 }], wrkSeconds: 2, backfillRows: 200_000 }
  : { noop: [20, 1000], apply: [100, 1000], applyLatency: [100, 1000], herd: [{ k: 20, n: 100 }, { k: 50, n: 100 }], wrkSeconds: 10,
      backfillRows: 2_000_000 };

const bin = (name) => join(root, "build", "bin", name);
const peerBin = (name) => join(here, "peers", "node_modules", ".bin", name);

// ---------------------------------------------------------------- the server
const server = Object.fromEntries(
  execFileSync(join(root, "tests/harness/pg-test-server"), ["start", "--durable", "--watch-pid", String(process.pid)],
    { encoding: "utf8" })
    .trim().split("\n").map((line) => line.split(/=(.*)/s).slice(0, 2)));
// Tools reach the server directly, or, in the latency scenarios, through the delay proxy;
// the bench's own bookkeeping queries always go direct.
let toolPort = server.PGTEST_PORT;
const urlOf = (db, port = toolPort) => `postgresql://postgres:${server.PGTEST_PASSWORD}@127.0.0.1:${port}/${db}`;
// The server's Unix socket, where pg_hba.conf trusts: no SCRAM for a start-up to hide behind.
const socketUrlOf = (db) =>
  `postgresql://postgres@/${db}?host=${encodeURIComponent(server.PGTEST_DIR)}&port=${server.PGTEST_PORT}`;
process.on("exit", () => {
  try { execFileSync(join(root, "tests/harness/pg-test-server"), ["destroy", server.PGTEST_DIR]); } catch { /* watchdog */ }
});

async function sql(db, text) {
  const client = new pg.Client({ connectionString: urlOf(db, server.PGTEST_PORT) });
  await client.connect();
  try { return (await client.query(text)).rows; } finally { await client.end(); }
}
let databases = 0;
async function freshDatabase() {
  const name = `bench_${++databases}`;
  await sql("postgres", `CREATE DATABASE ${name} TEMPLATE template0`);
  return name;
}
async function dropDatabase(name) {
  await sql("postgres", `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

// ---------------------------------------------------------------- the network
// A fixed delay each way on loopback (bench/proxy/delay_proxy.c): --delay-us per direction,
// 500 by default, a 1 ms round trip as within a cloud region. The proxy also counts the
// exchanges clients waited on.
const delayUs = Number(option("--delay-us", 500));
let proxy = null;
async function startProxy() {
  const child = spawn(bin("bench-delay-proxy"), ["0", String(server.PGTEST_PORT), String(delayUs)],
    { stdio: ["ignore", "pipe", "inherit"] });
  const lines = [], waiting = [];
  child.stdout.on("data", (chunk) => {
    for (const line of String(chunk).split("\n").filter(Boolean)) {
      const wake = waiting.shift();
      if (wake) wake(line); else lines.push(line);
    }
  });
  const next = () => new Promise((ok) => (lines.length ? ok(lines.shift()) : waiting.push(ok)));
  const port = Number((await next()).match(/listening on (\d+)/)[1]);
  process.on("exit", () => child.kill("SIGKILL"));
  return {
    port,
    exchanges: async () => { child.kill("SIGUSR1"); return Number((await next()).match(/exchanges (\d+)/)[1]); },
  };
}

// WAL syncs of the whole server (pg_stat_wal), read once the tool's sessions have ended and
// reported their statistics. They include the WAL writer's background flushes of commits
// that did not wait for theirs.
async function walSyncs(db) {
  for (let i = 0; i < 200; ++i) {
    const [{ n }] = await sql("postgres", `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = '${db}' AND pid <> pg_backend_pid()`);
    if (n === 0) break;
    await new Promise((ok) => setTimeout(ok, 10));
  }
  const [{ syncs }] = await sql("postgres", "SELECT wal_sync::bigint AS syncs FROM pg_stat_wal");
  return Number(syncs);
}

// A timed run with its counts: exchanges through the proxy (when in use) and WAL syncs.
async function counted(tool, db, set) {
  const exchangesBefore = proxy && toolPort === proxy.port ? await proxy.exchanges() : null;
  const syncsBefore = await walSyncs(db);
  const run = timed(tool, db, set);
  const syncs = (await walSyncs(db)) - syncsBefore;
  const exchanges = exchangesBefore === null ? null : (await proxy.exchanges()) - exchangesBefore;
  return { ...run, exchanges, syncs };
}

// ---------------------------------------------------------------- migration sets
const pad = (i) => String(i).padStart(6, "0");
function generate(n) {
  const dir = mkdtempSync(join(tmpdir(), `sgbench-${n}-`));
  const sub = (name) => { mkdirSync(join(dir, name), { recursive: true }); return join(dir, name); };
  const [sg, dbmate, npm, pgm, sqitch] = ["schemagate", "dbmate", "node-pg-migrate", "postgres-migrations", "sqitch"].map(sub);
  mkdirSync(join(sqitch, "deploy")); mkdirSync(join(sqitch, "revert")); mkdirSync(join(sqitch, "verify"));
  writeFileSync(join(sqitch, "sqitch.conf"), "[core]\n\tengine = pg\n");
  let planText = "%syntax-version=1.0.0\n%project=bench\n\n";
  for (let i = 1; i <= n; ++i) {
    const create = `CREATE TABLE t${i} (id int);\n`;
    writeFileSync(join(sg, `V${i}__t${i}.sql`), create);
    writeFileSync(join(dbmate, `${pad(i)}_t${i}.sql`), `-- migrate:up\n${create}\n-- migrate:down\nDROP TABLE t${i};\n`);
    writeFileSync(join(npm, `${pad(i)}_t${i}.sql`), `-- Up Migration\n${create}\n-- Down Migration\nDROP TABLE t${i};\n`);
    writeFileSync(join(pgm, `${i}_t${i}.sql`), create);
    writeFileSync(join(sqitch, "deploy", `t${i}.sql`), `BEGIN;\n${create}COMMIT;\n`);
    writeFileSync(join(sqitch, "revert", `t${i}.sql`), `DROP TABLE t${i};\n`);
    writeFileSync(join(sqitch, "verify", `t${i}.sql`), `SELECT 1;\n`);
    planText += `t${i} 2026-01-01T00:00:00Z bench <bench@localhost> # t${i}\n`;
  }
  writeFileSync(join(sqitch, "sqitch.plan"), planText);
  return { dir, sg, dbmate, npm, pgm, sqitch };
}

// ---------------------------------------------------------------- tools
// Each tool: how to run it against a database with a migration set; `available` says why not.
const tools = {
  floor: { command: (db) => [bin("bench-floor"), urlOf(db)] },
  // The same C floor with libpq linked shared, as every baseline was before the static build:
  // the rounds before it compare against this one.
  "floor, libpq shared": { command: (db) => [bin("bench-floor-shared"), urlOf(db)] },
  ideal: { command: (db, set) => [bin("bench-ideal"), urlOf(db), set.sg] },
  limit: { command: (db, set) => [bin("bench-limit"), urlOf(db), set.sg] },
  schemagate: {
    command: (db, set) => [bin("schemagate"), "migrate", "--migrations", set.sg],
    env: (db) => ({ DATABASE_URL: urlOf(db) }),
  },
  dbmate: {
    command: (db, set) => [peerBin("dbmate"), "--url", `${urlOf(db)}?sslmode=disable`, "--migrations-dir", set.dbmate,
      "--no-dump-schema", "up"],
  },
  "node-pg-migrate": {
    command: (db, set) => [peerBin("node-pg-migrate"), "up", "-m", set.npm, "-d", "DATABASE_URL", "--no-verbose"],
    env: (db) => ({ DATABASE_URL: urlOf(db) }),
  },
  "postgres-migrations": {
    command: (db, set) => [process.execPath, join(here, "peers/postgres-migrations-run.mjs"), urlOf(db), set.pgm],
  },
  sqitch: {
    command: (db, set) => ["sqitch", "--chdir", set.sqitch, "deploy", "--quiet",
      `db:pg://postgres:${server.PGTEST_PASSWORD}@127.0.0.1:${toolPort}/${db}`],
    env: () => ({ SQITCH_FULLNAME: "bench", SQITCH_EMAIL: "bench@localhost" }),
  },
};
for (const [name, tool] of Object.entries(tools)) {
  const program = tool.command("x", { sg: "", dbmate: "", npm: "", pgm: "", sqitch: "" })[0];
  const found = program.includes("/") ? existsSync(program) : spawnSync("which", [program]).status === 0;
  tool.available = found ? null : `not installed (${program})`;
  tool.name = name;
}
const peers = ["dbmate", "node-pg-migrate", "postgres-migrations", "sqitch"];

// One timed run: wall time from here, peak RSS from GNU time.
function timed(tool, db, set) {
  const rssFile = join(tmpdir(), `sgbench-rss-${process.pid}`);
  const [program, ...args] = tool.command(db, set);
  const started = performance.now();
  const result = spawnSync("/usr/bin/time", ["-f", "%M", "-o", rssFile, program, ...args], {
    env: { ...process.env, ...(tool.env?.(db) ?? {}) }, encoding: "utf8", maxBuffer: 64 << 20,
  });
  const ms = performance.now() - started;
  if (result.status !== 0) {
    throw new Error(`${tool.name} exited ${result.status}: ${(result.stderr || "").slice(-800)}`);
  }
  const rssKb = Number(readFileSync(rssFile, "utf8").trim().split("\n").pop());
  return { ms, rssKb };
}

// ---------------------------------------------------------------- statistics
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const rows = [];
const failures = [];  // scenario or peer errors: the run fails, figures never do
function record(scenario, tool, baseline, samples, extra = {}) {
  const ms = samples.map((s) => s.ms);
  const row = {
    scenario, tool, baseline,
    median_ms: median(ms), min_ms: Math.min(...ms), max_ms: Math.max(...ms), runs: ms.length,
    peak_rss_mib: samples[0]?.rssKb ? Math.max(...samples.map((s) => s.rssKb)) / 1024 : null,
    ...extra,
  };
  if (baseline && samples[0]?.baselineMs) row.ratio = median(samples.map((s) => s.ms / s.baselineMs));
  rows.push(row);
  return row;
}
function skipped(scenario, tool, why) { rows.push({ scenario, tool, error: why }); }

// ---------------------------------------------------------------- scenarios
// Over trust (the Unix socket), the floor and schemagate only: a tool's own start-up and work
// against a connect that costs no SCRAM.
const overSocket = (tool) => ({ ...tool,
  command: (db, set) => tool.command(db, set).map((word) => (word === urlOf(db) ? socketUrlOf(db) : word)),
  env: (db) => Object.fromEntries(Object.entries(tool.env?.(db) ?? {})
    .map(([key, value]) => [key, value === urlOf(db) ? socketUrlOf(db) : value])) });

async function noop(n, { trust = false } = {}) {
  const set = generate(n);
  const scenario = `no-op, ${n} applied${trust ? ", trust over the Unix socket" : ""}`;
  const tool = (name) => (trust ? overSocket(tools[name]) : tools[name]);
  const contenders = (trust ? ["schemagate"] : ["schemagate", ...peers]).filter((t) => !tools[t].available);
  const floors = ["floor", "floor, libpq shared"].filter((t) => !tools[t].available);
  const prepared = {};
  for (const name of contenders) {   // apply everything once, untimed
    prepared[name] = await freshDatabase();
    try { timed(tool(name), prepared[name], set); } catch (e) {
      prepared[name] = e;
      failures.push(`no-op ${n}, ${name}: ${e.message.split("\n")[0]}`);
    }
  }
  const floorDb = await freshDatabase();
  const samples = Object.fromEntries([...floors, ...contenders].map((t) => [t, []]));
  for (let r = 0; r < runs; ++r) {
    for (const name of r % 2 ? [...contenders].reverse() : contenders) {
      if (prepared[name] instanceof Error) continue;
      const bases = Object.fromEntries(floors.map((f) => [f, timed(tool(f), floorDb, set)]));
      const run = timed(tool(name), prepared[name], set);
      for (const f of floors) samples[f].push(bases[f]);
      samples[name].push({ ...run, baselineMs: bases.floor?.ms, sharedFloorMs: bases["floor, libpq shared"]?.ms });
    }
  }
  for (const f of floors) record(scenario, f, null, samples[f]);
  for (const name of trust ? ["schemagate"] : ["schemagate", ...peers]) {
    if (tools[name].available) skipped(scenario, name, tools[name].available);
    else if (prepared[name] instanceof Error) skipped(scenario, name, prepared[name].message.split("\n")[0]);
    else {
      const shared = samples[name].filter((x) => x.sharedFloorMs);
      record(scenario, name, "floor", samples[name], shared.length
        ? { ratio_vs_shared_floor: median(shared.map((x) => x.ms / x.sharedFloorMs)) } : {});
    }
  }
  rmSync(set.dir, { recursive: true, force: true });
}

async function apply(n, { latency = false } = {}) {
  const set = generate(n);
  const scenario = `apply ${n} to an empty database${latency ? `, ${(2 * delayUs) / 1000} ms round trip` : ""}`;
  const contenders = ["schemagate", ...peers].filter((t) => !tools[t].available);
  const samples = Object.fromEntries(["ideal", "limit", ...contenders].map((t) => [t, []]));
  const failed = {};
  if (latency && !proxy) proxy = await startProxy();
  if (latency) toolPort = proxy.port;
  try {
    for (let r = 0; r < runs; ++r) {
      for (const name of r % 2 ? [...contenders].reverse() : contenders) {
        if (failed[name]) continue;
        const dbs = { ideal: await freshDatabase(), limit: await freshDatabase(), tool: await freshDatabase() };
        try {
          // A B C / C B A alternation of the two baselines and the tool.
          const order = r % 2 ? ["tool", "limit", "ideal"] : ["ideal", "limit", "tool"];
          const got = {};
          for (const which of order) got[which] = await counted(which === "tool" ? tools[name] : tools[which], dbs[which], set);
          samples.ideal.push(got.ideal);
          samples.limit.push(got.limit);
          samples[name].push({ ...got.tool, baselineMs: got.ideal.ms, limitMs: got.limit.ms });
        } catch (e) {
          failed[name] = e.message.split("\n")[0];
          failures.push(`${scenario}, ${name}: ${failed[name]}`);
        }
        for (const db of Object.values(dbs)) await dropDatabase(db);
      }
    }
  } finally {
    toolPort = server.PGTEST_PORT;
  }
  const counts = (xs) => ({
    round_trips_per_migration: xs[0]?.exchanges === null ? null : median(xs.map((x) => x.exchanges)) / n,
    wal_syncs_per_migration: median(xs.map((x) => x.syncs)) / n,
  });
  record(scenario, "ideal", null, samples.ideal, counts(samples.ideal));
  record(scenario, "limit", null, samples.limit, counts(samples.limit));
  for (const name of ["schemagate", ...peers]) {
    if (tools[name].available) skipped(scenario, name, tools[name].available);
    else if (failed[name]) skipped(scenario, name, failed[name]);
    else {
      record(scenario, name, "ideal", samples[name], {
        ...counts(samples[name]), ratio_vs_limit: median(samples[name].map((x) => x.ms / x.limitMs)),
      });
    }
  }
  rmSync(set.dir, { recursive: true, force: true });
}

// K processes at once; returns wall time, exit codes and each exit's time. With `logs`, each
// process's stderr (schemagate's JSON log lines) is kept too, to tell apart a gate that was
// waiting when the final commit landed from one that had not started yet.
function herdOnce(tool, db, set, k, logs = false) {
  return new Promise((resolvePromise) => {
    const started = performance.now();
    const exits = [];
    for (let i = 0; i < k; ++i) {
      const [program, ...args] = tool.command(db, set);
      const child = spawn(program, logs ? [...args, "--log-format", "json"] : args, {
        env: { ...process.env, ...(tool.env?.(db) ?? {}), HOSTNAME: `herd-${i}` },
        stdio: ["ignore", "ignore", logs ? "pipe" : "ignore"],
      });
      let log = "";
      child.stderr?.on("data", (chunk) => { log += chunk; });
      child.on("close", (code) => {
        exits.push({ code, at: performance.timeOrigin + performance.now(), log });
        if (exits.length === k) resolvePromise({ ms: performance.now() - started, exits });
      });
    }
  });
}

// The time (epoch ms) of each JSON log event of one gate's run, by event name (first of each).
function logEvents(log) {
  const events = {};
  for (const line of log.split("\n")) {
    if (!line.startsWith("{")) continue;
    const { event, ts } = JSON.parse(line);
    if (event && !(event in events)) events[event] = Date.parse(ts);
  }
  return events;
}

// Of a herd's gates, those that were already waiting when the final commit landed: how long
// after it the last of them was out (the wake-up itself, without the herd's own start-up).
function wokenDelay(exits, finalCommitMs) {
  const woken = exits.filter((e) => {
    const events = logEvents(e.log);
    return events.waiting !== undefined && events.waiting < finalCommitMs && !events.lease_acquired;
  });
  return { woken: woken.length, ms: woken.length ? Math.max(...woken.map((e) => e.at)) - finalCommitMs : null };
}

async function herd({ k, n }) {
  const set = generate(n);
  const scenario = `herd: ${k} processes, ${n} migrations`;
  const samples = { ideal: [], schemagate: [] };
  let okCount = 0, total = 0, applied = 0;
  const lastWaiterDelays = [], wokenDelays = [], wokenCounts = [];
  for (let r = 0; r < runs; ++r) {
    const order = r % 2 ? ["schemagate", "ideal"] : ["ideal", "schemagate"];
    const result = {};
    for (const name of order) {
      const db = await freshDatabase();
      result[name] = await herdOnce(tools[name], db, set, k, name === "schemagate");
      if (name === "schemagate") {
        okCount += result[name].exits.filter((e) => e.code === 0).length;
        total += k;
        const [{ commits, last }] = await sql(db,
          "SELECT count(*)::int AS commits, extract(epoch FROM max(applied_at)) * 1000 AS last FROM schemagate.history");
        applied = commits;
        const lastExit = Math.max(...result[name].exits.map((e) => e.at));
        lastWaiterDelays.push(lastExit - Number(last));
        const woken = wokenDelay(result[name].exits, Number(last));
        wokenCounts.push(woken.woken);
        if (woken.ms !== null) wokenDelays.push(woken.ms);
      } else if (result[name].exits.some((e) => e.code !== 0)) {
        throw new Error("ideal herd: a process failed");
      }
      await dropDatabase(db);
    }
    samples.ideal.push({ ms: result.ideal.ms });
    samples.schemagate.push({ ms: result.schemagate.ms, baselineMs: result.ideal.ms });
  }
  record(scenario, "ideal", null, samples.ideal);
  record(scenario, "schemagate", "ideal", samples.schemagate, {
    exit_0: `${okCount}/${total}`, applied_migrations: applied,
    last_waiter_after_final_commit_ms: median(lastWaiterDelays),
    waiting_at_final_commit: median(wokenCounts),
    last_woken_waiter_after_final_commit_ms: wokenDelays.length ? median(wokenDelays) : null,
  });
  rmSync(set.dir, { recursive: true, force: true });
}

function rssKb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(status.match(/VmRSS:\s+(\d+)/)[1]);
}

async function sidecar() {
  const scenario = "sidecar /readyz";
  if (spawnSync("which", ["wrk"]).status !== 0) { skipped(scenario, "schemagate-sidecar", "wrk not installed"); return; }
  const db = await freshDatabase();
  const set = generate(3);
  timed(tools.schemagate, db, set);
  await sql(db, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  const { child, port } = await startSidecar(db, ["--expect", "3", "--poll-interval", "5s"]);
  // Ready before measuring: the first check has happened.
  for (let i = 0; i < 200; ++i) {
    const r = spawnSync("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", `http://127.0.0.1:${port}/readyz`], { encoding: "utf8" });
    if (r.stdout === "200") break;
    await new Promise((ok) => setTimeout(ok, 20));
  }
  const idleRss = rssKb(child.pid);
  const queries = async () => (await sql(db,
    "SELECT coalesce(sum(calls), 0)::int AS n FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid " +
    "WHERE d.datname = current_database() AND s.query LIKE '%LEFT JOIN LATERAL%'"))[0].n;
  for (const connections of [1, 50]) {
    const before = await queries();
    const threads = Math.min(connections, 2);
    const out = execFileSync("wrk", ["-t", String(threads), "-c", String(connections), "-d", `${plan.wrkSeconds}s`, "--latency",
      `http://127.0.0.1:${port}/readyz`], { encoding: "utf8" });
    const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)[1]);
    const pct = (p) => { const m = out.match(new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`)); return m ? Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]] : null; };
    const nonOk = out.match(/Non-2xx or 3xx responses:\s+(\d+)/);
    rows.push({
      scenario: `${scenario}, ${connections} connection${connections > 1 ? "s" : ""}`, tool: "schemagate-sidecar",
      requests_per_second: rps, p50_ms: pct(50), p99_ms: pct(99), non_2xx: nonOk ? Number(nonOk[1]) : 0,
      idle_rss_mib: idleRss / 1024, loaded_rss_mib: rssKb(child.pid) / 1024,
      database_queries: (await queries()) - before, seconds: plan.wrkSeconds,
    });
  }
  rows.push(await readinessSwitch(db, set, port));
  child.kill("SIGTERM");
  await new Promise((ok) => child.on("exit", ok));
  rmSync(set.dir, { recursive: true, force: true });
}

// How soon after the gate exits the sidecar reports the new version, as a share of its 5s poll:
// the NOTIFY makes it far below 1 (the integration test only checks that the NOTIFY does it).
async function readinessSwitch(db, set, port) {
  writeFileSync(join(set.sg, "V4__t4.sql"), "CREATE TABLE t4 (id int);\n");
  timed(tools.schemagate, db, set);
  const exited = performance.now();
  let ms = null;
  while (ms === null && performance.now() - exited < 10_000) {
    const r = spawnSync("curl", ["-s", `http://127.0.0.1:${port}/version`], { encoding: "utf8" });
    if (/"version":4\b/.test(r.stdout)) ms = performance.now() - exited;
  }
  return { scenario: "sidecar: readiness switch after the gate exits", tool: "schemagate-sidecar",
    switch_ms: ms, ratio_vs_poll: ms === null ? null : ms / 5000 };
}

// A backfill of every row of a big table while the application keeps writing random rows:
// one UPDATE statement (what a plain migration does) against schemagate's batched migration
// with its default batch size and pause. The writer's waits are measured by the writer.
const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : null; };

function startWriter(db, rowCount) {
  const client = new pg.Client({ connectionString: urlOf(db) });
  const waits = [];
  let stop = false;
  const done = (async () => {
    await client.connect();
    while (!stop) {
      const id = 1 + Math.floor(Math.random() * rowCount);
      const started = performance.now();
      await client.query("UPDATE big SET hits = hits + 1 WHERE id = $1", [id]);
      waits.push({ at: started, ms: performance.now() - started });
    }
    await client.end();
  })();
  return { waits, stop: async () => { stop = true; await done; } };
}

function runAsync(program, args, env) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, args, { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (chunk) => { err = (err + chunk).slice(-4000); });
    child.on("exit", (code) => (code === 0 ? resolvePromise() : reject(new Error(`exited ${code}: ${err}`))));
  });
}

async function backfill(rowCount) {
  const scenario = `backfill ${rowCount} rows, a writer updating random rows`;
  // The table comes from V1 (schemagate refuses a schema with tables and no history); the
  // timed run applies V2, the backfill.
  const dir = mkdtempSync(join(tmpdir(), "sgbench-backfill-"));
  const [init, full, eager] = ["init", "full", "eager"].map((name) => { mkdirSync(join(dir, name)); return join(dir, name); });
  const createTable =
    "CREATE TABLE big (id bigint PRIMARY KEY, email text NOT NULL, email_lower text, hits int NOT NULL DEFAULT 0);\n" +
    `INSERT INTO big (id, email) SELECT g, 'User' || g || '@Example.COM' FROM generate_series(1, ${rowCount}) g;\n`;
  for (const d of [init, full, eager]) writeFileSync(join(d, "V1__big.sql"), createTable);
  const backfillSql = (options) =>
    `-- schemagate:batch key=bigint${options}\n` +
    "UPDATE big SET email_lower = lower(email)\n" +
    " WHERE id IN (SELECT id FROM big WHERE id > coalesce($2, 0) ORDER BY id LIMIT $1)\n" +
    "RETURNING id;\n" +
    "-- schemagate:batch-total\n" +
    "SELECT count(*) FROM big;\n";
  writeFileSync(join(full, "V2__backfill.sql"), backfillSql(""));
  writeFileSync(join(eager, "V2__backfill.sql"), backfillSql(" pause=0"));
  const contenders = {
    "one statement": (db) => sql(db, "UPDATE big SET email_lower = lower(email)"),
    "schemagate batched": (db) => runAsync(bin("schemagate"), ["migrate", "--migrations", full], { DATABASE_URL: urlOf(db) }),
    "schemagate batched, pause=0": (db) => runAsync(bin("schemagate"), ["migrate", "--migrations", eager], { DATABASE_URL: urlOf(db) }),
  };
  const samples = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
  for (let r = 0; r < runs; ++r) {
    const names = Object.keys(contenders);
    for (const name of r % 2 ? names.reverse() : names) {
      const db = await freshDatabase();
      await runAsync(bin("schemagate"), ["migrate", "--migrations", init], { DATABASE_URL: urlOf(db) });
      await sql(db, "VACUUM ANALYZE big");
      const writer = startWriter(db, rowCount);
      await new Promise((ok) => setTimeout(ok, 300));  // the writer is warm
      const started = performance.now();
      await contenders[name](db);
      const ms = performance.now() - started;
      await writer.stop();
      const during = writer.waits.filter((w) => w.at >= started && w.at <= started + ms).map((w) => w.ms);
      const [{ left }] = await sql(db, "SELECT count(*)::int AS left FROM big WHERE email_lower IS NULL");
      if (left !== 0) throw new Error(`${name} left ${left} rows without a value`);
      samples[name].push({ ms, worst: during.reduce((a, b) => Math.max(a, b), 0), p99: quantile(during, 0.99), writes: during.length });
      await dropDatabase(db);
    }
  }
  const single = samples["one statement"];
  const summary = (xs) => ({
    writer_worst_ms: Math.max(...xs.map((x) => x.worst)), writer_p99_ms: median(xs.map((x) => x.p99)),
    writer_writes: median(xs.map((x) => x.writes)),
  });
  record(scenario, "one statement", null, single, summary(single));
  for (const name of ["schemagate batched", "schemagate batched, pause=0"]) {
    const batched = samples[name];
    record(scenario, name, "one statement", batched.map((x, i) => ({ ...x, baselineMs: single[i].ms })),
      { ...summary(batched),
        worst_wait_ratio: Math.max(...batched.map((x) => x.worst)) / Math.max(...single.map((x) => x.worst)),
        p99_wait_ratio: median(batched.map((x) => x.p99)) / median(single.map((x) => x.p99)) });
  }
  rmSync(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------- report
function table() {
  const lines = ["| scenario | tool | median | min | max | ratio | peak RSS | notes |", "|---|---|---:|---:|---:|---:|---:|---|"];
  const f = (x, d = 1) => (x === null || x === undefined ? "" : Number(x).toFixed(d));
  for (const r of rows) {
    if (r.error) { lines.push(`| ${r.scenario} | ${r.tool} | | | | | | ${r.error} |`); continue; }
    if (r.requests_per_second !== undefined) {
      lines.push(`| ${r.scenario} | ${r.tool} | | | | | ${f(r.loaded_rss_mib)} MiB | ${Math.round(r.requests_per_second)} req/s, p50 ${f(r.p50_ms, 3)} ms, p99 ${f(r.p99_ms, 3)} ms, idle RSS ${f(r.idle_rss_mib)} MiB, ${r.database_queries} DB queries in ${r.seconds}s, non-2xx ${r.non_2xx} |`);
      continue;
    }
    if (r.switch_ms !== undefined) {  // one measurement, not a series: its time, against the poll
      lines.push(`| ${r.scenario} | ${r.tool} | ${r.switch_ms === null ? "none in 10 s" : f(r.switch_ms) + " ms"} | | | | | ${r.ratio_vs_poll === null ? "" : f(r.ratio_vs_poll, 4) + "x the sidecar's 5 s poll interval"} |`);
      continue;
    }
    const notes = [r.baseline ? `vs ${r.baseline}` : "baseline",
      r.ratio_vs_limit !== undefined ? `${f(r.ratio_vs_limit, 2)}x the limit` : "",
      r.ratio_vs_shared_floor !== undefined ? `${f(r.ratio_vs_shared_floor, 2)}x the floor with libpq shared` : "",
      r.round_trips_per_migration !== undefined && r.round_trips_per_migration !== null ? `${f(r.round_trips_per_migration, 2)} round trips/migration` : "",
      r.wal_syncs_per_migration !== undefined ? `${f(r.wal_syncs_per_migration, 2)} WAL syncs/migration` : "",
      r.exit_0 ? `exit 0: ${r.exit_0}` : "", r.applied_migrations !== undefined ? `applied ${r.applied_migrations}` : "",
      r.last_waiter_after_final_commit_ms !== undefined ? `last waiter out ${f(r.last_waiter_after_final_commit_ms)} ms after the final commit` : "",
      r.last_woken_waiter_after_final_commit_ms != null
        ? `of the ${r.waiting_at_final_commit} already waiting then, the last out after ${f(r.last_woken_waiter_after_final_commit_ms)} ms` : "",
      r.writer_worst_ms !== undefined ? `writer's worst wait ${f(r.writer_worst_ms)} ms, p99 ${f(r.writer_p99_ms)} ms over ${Math.round(r.writer_writes)} writes` : "",
      r.worst_wait_ratio !== undefined ? `worst wait ${f(r.worst_wait_ratio, 3)}x, p99 wait ${f(r.p99_wait_ratio, 3)}x the one statement's` : ""]
      .filter(Boolean).join("; ");
    lines.push(`| ${r.scenario} | ${r.tool} | ${f(r.median_ms)} ms | ${f(r.min_ms)} | ${f(r.max_ms)} | ${r.ratio ? f(r.ratio, 2) + "x" : ""} | ${r.peak_rss_mib ? f(r.peak_rss_mib) + " MiB" : ""} | ${notes} |`);
  }
  return lines.join("\n");
}

function svg() {
  const bars = rows.filter((r) => r.ratio);
  const width = 760, rowHeight = 22, left = 330, top = 30;
  const maxRatio = Math.max(2, ...bars.map((b) => b.ratio));
  const x = (v) => left + (v / maxRatio) * (width - left - 60);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + bars.length * rowHeight + 30}" font-family="sans-serif" font-size="12">`,
    `<text x="10" y="18" font-weight="bold">Time relative to the baseline of the same run (lower is better; 1.0 = baseline)</text>`];
  bars.forEach((b, i) => {
    const y = top + i * rowHeight;
    const color = b.tool === "schemagate" ? "#2b6cb0" : "#a0aec0";
    parts.push(`<text x="${left - 6}" y="${y + 15}" text-anchor="end">${b.scenario}: ${b.tool}</text>`,
      `<rect x="${left}" y="${y + 4}" width="${x(b.ratio) - left}" height="14" fill="${color}"/>`,
      `<text x="${x(b.ratio) + 4}" y="${y + 15}">${b.ratio.toFixed(2)}x</text>`);
  });
  parts.push(`<line x1="${x(1)}" y1="${top}" x2="${x(1)}" y2="${top + bars.length * rowHeight}" stroke="#c53030" stroke-dasharray="4"/>`, "</svg>");
  return parts.join("\n");
}

// The sidecar on a free port of 127.0.0.1 against `db`; resolves once it says where it listens.
async function startSidecar(db, args) {
  const child = spawn(bin("schemagate-sidecar"), [...args, "--listen", "127.0.0.1:0"], {
    env: { ...process.env, DATABASE_URL: urlOf(db) }, stdio: ["ignore", "ignore", "pipe"],
  });
  const port = await new Promise((resolvePromise, reject) => {
    let err = "";
    child.stderr.on("data", (chunk) => {
      err += chunk;
      const match = err.match(/listening on 127\.0\.0\.1:(\d+)/);
      if (match) resolvePromise(Number(match[1]));
    });
    child.on("exit", (code) => reject(new Error(`sidecar exited ${code}: ${err}`)));
  });
  return { child, port };
}

// A fresh probe's latency while 50 slowloris clients hold connections open with unfinished
// headers, as a ratio to a probe with none, paired run by run: the speed half of sidecar_test's
// slowloris tests (which assert only that the probe is answered while those clients wait).
async function slowlorisProbe() {
  const scenario = "sidecar: fresh probe under 50 slowloris connections";
  const db = await freshDatabase();
  const set = generate(1);
  timed(tools.schemagate, db, set);
  const { child, port } = await startSidecar(db, ["--expect", "1", "--request-timeout", "30s"]);
  // One probe on a new connection from the kubelet's address (the slow clients use 127.0.0.1).
  const probe = () => new Promise((ok, fail) => {
    const started = performance.now();
    http.get({ host: "127.0.0.1", port, path: "/livez", localAddress: "127.0.0.2", agent: false }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? ok(performance.now() - started) : fail(new Error(`probe: ${res.statusCode}`))));
    }).on("error", fail).setTimeout(60_000, function hangGuard() { this.destroy(new Error("probe: no answer in 60 s")); });
  });
  const slowClients = () => Promise.all(Array.from({ length: 50 }, () => new Promise((ok, fail) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => socket.write("GET /livez HTTP/1.1\r\nHost: x\r\n", () => ok(socket)));
    socket.on("error", fail);
  })));
  await probe();  // the first check may still be running; not a sample
  const samples = [];
  for (let i = 0; i < runs * 5; ++i) {
    const baselineMs = await probe();
    const slow = await slowClients();
    const ms = await probe();
    for (const socket of slow) socket.destroy();
    samples.push({ ms, baselineMs });
  }
  record(scenario, "schemagate-sidecar", "the same probe with no slow client", samples);
  child.kill("SIGTERM");
  await new Promise((ok) => child.on("exit", ok));
  await dropDatabase(db);
  rmSync(set.dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------- main
const startedAt = new Date();
const step = async (what, fn) => {
  if ((only && !what.includes(only)) || (skip && what.includes(skip))) return;
  process.stderr.write(`bench: ${what}\n`);
  try { await fn(); } catch (e) { failures.push(`${what}: ${e.message}`); skipped(what, "(scenario)", `error: ${e.message.split("\n")[0]}`); }
};
for (const n of plan.noop) await step(`no-op ${n}`, () => noop(n));
await step("no-op 20 trust", () => noop(20, { trust: true }));
for (const n of plan.apply) await step(`apply ${n}`, () => apply(n));
for (const n of plan.applyLatency) await step(`apply ${n} latency`, () => apply(n, { latency: true }));
for (const h of plan.herd) await step(`herd ${h.k}x${h.n}`, () => herd(h));
await step("sidecar", () => sidecar());
await step("sidecar slowloris", () => slowlorisProbe());
await step(`backfill ${plan.backfillRows}`, () => backfill(plan.backfillRows));

mkdirSync(outDir, { recursive: true });
const machine = `${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${
  execFileSync("/usr/lib/postgresql/15/bin/postgres", ["--version"], { encoding: "utf8" }).trim()}, fsync on`;
const report = { date: startedAt.toISOString(), machine, runs, quick, rows };
const suffix = quick || only || skip ? "quick" : null;
writeFileSync(join(outDir, suffix ? "quick.json" : "latest.json"), JSON.stringify(report, null, 2) + "\n");
writeFileSync(join(outDir, suffix ? "quick.svg" : "ratios.svg"), svg() + "\n");
console.log(`schemagate bench, ${startedAt.toISOString()}, ${machine}, ${runs} runs${quick ? " (quick)" : ""}\n`);
console.log(table());
if (failures.length) {
  console.error(`\nbench: ${failures.length} scenario(s) failed:\n- ${failures.join("\n- ")}`);
  process.exit(1);
}
console.log(`\nbench: all scenarios ran (results in ${outDir})`);
// The proxy's pipe would keep the event loop, and this process, alive.
process.exit(0);
