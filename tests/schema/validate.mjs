// Validates Kubernetes objects against the OpenAPI schemas of their APIs, as published in the
// @kubernetes-models packages pinned in package.json (Kubernetes core, Flux, External Secrets,
// KEDA, prometheus-operator).
//
// Input (stdin): a JSON array of {source, object}. Output (stdout): a JSON array of
// {source, id, errors[]}, one entry per object; an object passes when errors is empty.
//
// Three kinds of error:
// - the apiVersion is not one the pinned API versions serve (SERVED below): e.g.
//   external-secrets.io/v1beta1, which External Secrets stopped serving in v0.17;
// - the schema refuses the object (types, enums, required fields, formats);
// - a field the schema does not know. The generated validators ignore unknown fields, so each
//   object is wrapped in a Proxy that records which properties the validator reads: a schema
//   with properties reads every property it defines, and a map or a free-form object
//   (x-kubernetes-preserve-unknown-fields, e.g. HelmRelease values) has either all keys read
//   through iteration or none at all. A key the validator never read, on an object whose keys
//   it did read, is a field the API does not have (the API server's strict field validation
//   refuses it, and server-side apply as Flux uses it fails).

// apiVersion -> npm package holding its schemas. Only the versions the operators we document
// serve today are listed: an apiVersion missing here fails clearly instead of passing unchecked.
const SERVED = {
  "v1": "kubernetes-models",
  "apps/v1": "kubernetes-models",
  "batch/v1": "kubernetes-models",
  "networking.k8s.io/v1": "kubernetes-models",
  "policy/v1": "kubernetes-models",
  "rbac.authorization.k8s.io/v1": "kubernetes-models",
  "autoscaling/v2": "kubernetes-models",
  "source.toolkit.fluxcd.io/v1": "@kubernetes-models/flux-cd",
  "kustomize.toolkit.fluxcd.io/v1": "@kubernetes-models/flux-cd",
  "helm.toolkit.fluxcd.io/v2": "@kubernetes-models/flux-cd",
  "external-secrets.io/v1": "@kubernetes-models/external-secrets",
  "keda.sh/v1alpha1": "@kubernetes-models/keda",
  "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator",
};

function modulePath(apiVersion, kind) {
  const pkg = SERVED[apiVersion];
  if (!pkg) return null;
  return `${pkg}/${apiVersion}/${kind}`;
}

// A Proxy over `value` that records, per object path, whether the validator read its keys.
function track(value, path, seen) {
  if (value === null || typeof value !== "object") return value;
  const entry = { object: value, read: new Set(), iterated: false };
  seen.set(path, entry);
  const children = new Map();
  return new Proxy(value, {
    get(target, key, receiver) {
      if (typeof key !== "string") return Reflect.get(target, key, receiver);
      entry.read.add(key); // absent keys too: a schema with properties reads each it defines
      if (!Object.prototype.hasOwnProperty.call(target, key)) return Reflect.get(target, key, receiver);
      if (!children.has(key)) children.set(key, track(target[key], `${path}/${key}`, seen));
      return children.get(key);
    },
    ownKeys(target) {
      entry.iterated = true;
      return Reflect.ownKeys(target);
    },
    has(target, key) {
      if (typeof key === "string") entry.read.add(key);
      return Reflect.has(target, key);
    },
  });
}

function unknownFields(seen) {
  const unknown = [];
  for (const [path, entry] of seen) {
    if (Array.isArray(entry.object) || entry.iterated || entry.read.size === 0) continue;
    for (const key of Object.keys(entry.object)) {
      if (!entry.read.has(key)) unknown.push(`${path || "/"}: unknown field "${key}"`);
    }
  }
  return unknown;
}

async function check(object) {
  const { apiVersion, kind } = object;
  const id = `${apiVersion}/${kind}/${object?.metadata?.name}`;
  const path = modulePath(apiVersion, kind);
  if (!path) {
    return { id, errors: [`apiVersion ${apiVersion} is not served by the pinned API versions (tests/schema/validate.mjs SERVED)`] };
  }
  let model;
  try {
    model = (await import(path))[kind];
  } catch (e) {
    return { id, errors: [`no schema for kind ${kind} in ${SERVED[apiVersion]} (${apiVersion})`] };
  }
  if (!model) return { id, errors: [`no schema for kind ${kind} in ${SERVED[apiVersion]} (${apiVersion})`] };
  const seen = new Map();
  const errors = [];
  try {
    model.prototype.validate.call(track(object, "", seen));
  } catch (e) {
    errors.push(String(e.message));
  }
  errors.push(...unknownFields(seen));
  return { id, errors };
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const items = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const results = [];
  for (const { source, object } of items) results.push({ source, ...(await check(object)) });
  process.stdout.write(JSON.stringify(results));
}

main().catch((e) => {
  process.stderr.write(`schema check failed: ${e.stack || e}\n`);
  process.exit(2);
});
