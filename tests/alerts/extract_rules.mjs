// SPDX-License-Identifier: Apache-2.0
// Reads a rendered kustomization on stdin and prints the PrometheusRule's spec as a plain
// Prometheus rules file (what promtool reads).
import { parseAllDocuments, stringify } from "../k8s/node_modules/yaml/dist/index.js";
import { readFileSync } from "node:fs";

const objects = parseAllDocuments(readFileSync(0, "utf8")).map((d) => d.toJS()).filter(Boolean);
const rules = objects.filter((o) => o.kind === "PrometheusRule");
if (rules.length !== 1) throw new Error(`expected one PrometheusRule, found ${rules.length}`);
process.stdout.write(stringify(rules[0].spec));
