// SPDX-License-Identifier: Apache-2.0
// Every relative link and anchor in the user documentation resolves: README.md, CONTRIBUTING.md,
// docs/*.md, bench/README.md and the chart's README. Anchors are GitHub's: the heading in lower
// case, punctuation dropped, spaces as hyphens, a repeated heading suffixed -1, -2, ...
// Usage: node doc_links.mjs [ROOT]
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "../.."));
const documents = ["README.md", "CONTRIBUTING.md", "bench/README.md", "charts/schemagate/README.md",
  ...(existsSync(join(root, "docs")) ? readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`) : [])]
  .filter((f) => existsSync(join(root, f)));

// Lines outside fenced code blocks, with their numbers.
function prose(text) {
  const lines = [];
  let fence = null;
  text.split("\n").forEach((line, i) => {
    const open = line.match(/^\s*(`{3,}|~{3,})/);
    if (open) {
      if (!fence) fence = open[1][0];
      else if (open[1][0] === fence) fence = null;
      return;
    }
    if (!fence) lines.push([i + 1, line]);
  });
  return lines;
}

export function slug(heading) {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

const anchorCache = new Map();
function anchorsOf(file) {
  if (!anchorCache.has(file)) {
    const seen = new Map();
    const anchors = new Set();
    for (const [, line] of prose(readFileSync(file, "utf8"))) {
      const m = line.match(/^#{1,6}\s+(.*?)\s*#*\s*$/);
      if (!m) continue;
      const base = slug(m[1].replace(/`/g, ""));
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    anchorCache.set(file, anchors);
  }
  return anchorCache.get(file);
}

const problems = [];
let checked = 0;
for (const doc of documents) {
  const path = join(root, doc);
  for (const [number, line] of prose(readFileSync(path, "utf8"))) {
    const text = line.replace(/`[^`]*`/g, "");  // inline code is not a link
    for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;  // https:, mailto:
      checked++;
      const [file, anchor] = target.split("#");
      const resolved = file ? resolve(dirname(path), file) : path;
      const where = `${doc}:${number}: (${target})`;
      if (!resolved.startsWith(root) || !existsSync(resolved)) {
        problems.push(`${where}: ${relative(root, resolved)} does not exist`);
      } else if (anchor !== undefined) {
        if (statSync(resolved).isDirectory() || !resolved.endsWith(".md")) {
          problems.push(`${where}: an anchor into a file that is not Markdown`);
        } else if (!anchorsOf(resolved).has(anchor)) {
          problems.push(`${where}: ${relative(root, resolved)} has no heading #${anchor}`);
        }
      }
    }
  }
}
for (const p of problems) console.error(`FAIL: ${p}`);
console.log(`${checked} relative links in ${documents.length} files, ${problems.length} broken`);
process.exit(problems.length ? 1 : 0);
