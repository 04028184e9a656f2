// Validates Kubernetes objects against the Kubernetes API schemas (the npm package
// kubernetes-models, an independent validator built from the API's OpenAPI documents).
// Reads a JSON array of objects on stdin (tests/spec/segment_spec.lua converts the YAML with
// python3-yaml); prints one line per object, "Kind/name valid" or "Kind/name INVALID: why",
// and exits 1 when one is invalid or of a kind it has no schema for.
"use strict";
const path = require("path");

function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  let dir;
  if (group === "") dir = "kubernetes-models/" + version;
  else if (group === "monitoring.coreos.com")
    dir = "@kubernetes-models/prometheus-operator/" + group + "/" + version;
  else dir = "kubernetes-models/" + group + "/" + version;
  try {
    return require(path.join(__dirname, "node_modules", dir))[kind];
  } catch (e) {
    return undefined;
  }
}

let text = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => (text += d));
process.stdin.on("end", () => {
  let bad = 0;
  for (const doc of JSON.parse(text)) {
    const name = `${doc.kind}/${doc.metadata && doc.metadata.name}`;
    const Model = modelFor(String(doc.apiVersion), String(doc.kind));
    if (typeof Model !== "function") {
      console.log(`${name} INVALID: no schema for ${doc.apiVersion} ${doc.kind}`);
      bad++;
      continue;
    }
    try {
      new Model(doc).validate();
      console.log(`${name} valid`);
    } catch (e) {
      console.log(`${name} INVALID: ${e.message.replace(/\s+/g, " ")}`);
      bad++;
    }
  }
  process.exit(bad ? 1 : 0);
});
