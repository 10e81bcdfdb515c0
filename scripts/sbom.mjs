// SPDX-License-Identifier: Apache-2.0
// A CycloneDX 1.6 SBOM of the image from the file list the Dockerfile's build stage writes
// (/sbom-files.tsv: path, SHA-1, SHA-256, Debian package or "-", its version): every file of the
// image, grouped under the Debian package it came from (purl pkg:deb/debian/NAME@VERSION) or
// under schemagate itself. Reads the list on standard input, prints the JSON.
//   node scripts/sbom.mjs --name schemagate --version 0.1.0 --arch amd64 --revision SHA --source URL --image-id ID
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, word, i, all) =>
  (word.startsWith("--") ? [...pairs, [word.slice(2), all[i + 1]]] : pairs), []));
for (const key of ["name", "version", "arch", "revision", "source", "image-id"]) {
  if (!args[key]) { console.error(`sbom.mjs: --${key} is required`); process.exit(3); }
}

const rows = readFileSync(0, "utf8").split("\n").filter(Boolean).map((line) => {
  const [path, sha1, sha256, pkg, version] = line.split("\t");
  if (!/^[0-9a-f]{40}$/.test(sha1) || !/^[0-9a-f]{64}$/.test(sha256)) {
    console.error(`sbom.mjs: malformed line: ${line}`);
    process.exit(3);
  }
  return { path, sha1, sha256, pkg, version };
});
if (rows.length === 0) { console.error("sbom.mjs: no files on standard input"); process.exit(3); }

const file = (row) => ({
  type: "file",
  "bom-ref": `file:${row.path}`,
  name: row.path,
  hashes: [{ alg: "SHA-1", content: row.sha1 }, { alg: "SHA-256", content: row.sha256 }],
});

const ownRef = `pkg:generic/${args.name}@${args.version}?arch=${args.arch}`;
const packages = new Map();
for (const row of rows) {
  const key = row.pkg === "-" ? ownRef : `pkg:deb/debian/${row.pkg}@${encodeURIComponent(row.version)}?arch=${args.arch}&distro=debian-12`;
  if (!packages.has(key)) {
    packages.set(key, row.pkg === "-"
      ? { type: "application", "bom-ref": key, name: args.name, version: args.version, purl: key,
        licenses: [{ license: { id: "Apache-2.0" } }], components: [] }
      : { type: "library", "bom-ref": key, name: row.pkg, version: row.version, purl: key,
        supplier: { name: "Debian" }, components: [] });
  }
  packages.get(key).components.push(file(row));
}

const bom = {
  $schema: "http://cyclonedx.org/schema/bom-1.6.schema.json",
  bomFormat: "CycloneDX",
  specVersion: "1.6",
  serialNumber: `urn:uuid:${randomUUID()}`,
  version: 1,
  metadata: {
    timestamp: new Date().toISOString(),
    tools: { components: [{ type: "application", name: "schemagate scripts/release.sh" }] },
    component: {
      type: "container",
      "bom-ref": "image",
      name: args.name,
      version: args.version,
      hashes: [{ alg: "SHA-256", content: args["image-id"].replace(/^sha256:/, "") }],
      licenses: [{ license: { id: "Apache-2.0" } }],
      externalReferences: [{ type: "vcs", url: args.source }],
      properties: [
        { name: "org.opencontainers.image.revision", value: args.revision },
        { name: "org.opencontainers.image.version", value: args.version },
        { name: "architecture", value: args.arch },
      ],
    },
  },
  components: [...packages.values()],
  dependencies: [{ ref: "image", dependsOn: [...packages.keys()] },
    ...[...packages.keys()].map((ref) => ({ ref }))],
};
process.stdout.write(JSON.stringify(bom, null, 2) + "\n");
