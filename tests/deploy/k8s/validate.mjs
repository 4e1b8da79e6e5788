// Validates every document of the given Kubernetes YAML files against the
// API schemas of kubernetes-models (offline): prints one line per document
// and exits 1 when any is invalid or of a kind it does not know.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const failures = [];
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    const obj = doc.toJS();
    if (!obj) continue;
    const { apiVersion, kind } = obj;
    // kustomize's own file is not an API object.
    if (apiVersion?.startsWith("kustomize.config.k8s.io/")) continue;
    const group = apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`;
    const path = group.startsWith("core/") ? `kubernetes-models/${group.slice(5)}/${kind}` : `kubernetes-models/${group}/${kind}`;
    let Model;
    try {
      ({ [kind]: Model } = await import(path));
    } catch (e) {
      failures.push(`${file}: unknown kind ${apiVersion} ${kind}`);
      continue;
    }
    try {
      new Model(obj).validate();
      console.log(`ok ${file}: ${kind} ${obj.metadata?.name}`);
    } catch (e) {
      failures.push(`${file}: ${kind} ${obj.metadata?.name}: ${e.message}`);
    }
  }
}
for (const f of failures) console.log(`FAIL ${f}`);
process.exit(failures.length ? 1 : 0);
