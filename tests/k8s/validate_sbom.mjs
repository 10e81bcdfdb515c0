// SPDX-License-Identifier: Apache-2.0
// Validates a CycloneDX SBOM against the published CycloneDX 1.6 JSON schema (the schema files
// @cyclonedx/cyclonedx-library ships, checked by its strict ajv validator), then checks that it
// lists exactly the files given (one path a line, the image's own listing), each with a SHA-1
// and a SHA-256 and under a Debian package with a version or under schemagate.
//   node validate_sbom.mjs SBOM.json FILES.txt
import { readFileSync } from "node:fs";
import { Spec, Validation } from "@cyclonedx/cyclonedx-library";

const [sbomFile, filesFile] = process.argv.slice(2);
const text = readFileSync(sbomFile, "utf8");
const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
const errors = await validator.validate(text);
if (errors !== null) {
  console.error(`${sbomFile}: not a valid CycloneDX 1.6 document: ${JSON.stringify(errors).slice(0, 2000)}`);
  process.exit(1);
}
const bom = JSON.parse(text);
const listed = new Map();
for (const component of bom.components) {
  const debian = component.purl.startsWith("pkg:deb/debian/");
  if (debian && !component.version) { console.error(`${component.name}: no version`); process.exit(1); }
  for (const file of component.components ?? []) {
    const algs = file.hashes.map((h) => h.alg).sort().join(",");
    if (algs !== "SHA-1,SHA-256") { console.error(`${file.name}: hashes ${algs}`); process.exit(1); }
    listed.set(file.name.replace(/^\//, ""), component.name);
  }
}
const files = readFileSync(filesFile, "utf8").split("\n").filter(Boolean);
const missing = files.filter((f) => !listed.has(f));
const extra = [...listed.keys()].filter((f) => !files.includes(f));
if (missing.length || extra.length) {
  console.error(`SBOM and image differ: missing ${missing.join(" ")}; not in the image ${extra.join(" ")}`);
  process.exit(1);
}
const libraries = files.filter((f) => /\.so(\.|$)/.test(f));
const unowned = libraries.filter((f) => listed.get(f) === "schemagate");
if (unowned.length) { console.error(`libraries without a Debian package: ${unowned.join(" ")}`); process.exit(1); }
const packages = new Set(bom.components.filter((c) => c.purl.startsWith("pkg:deb/")).map((c) => c.name));
console.log(`valid CycloneDX 1.6: ${files.length} files, ${libraries.length} libraries, ${packages.size} Debian packages`);
