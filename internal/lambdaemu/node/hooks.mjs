// Module resolve hook for Switchboard's Node.js bootstrap. import ignores
// NODE_PATH, yet Lambda's Node.js runtimes let ES modules import the AWS SDK
// for JavaScript v3 without bundling it. This hook retries a bare specifier
// that fails to resolve from the handler's folder from each NODE_PATH entry.
import path from "node:path";
import { pathToFileURL } from "node:url";

let parents = [];

export function initialize(data) {
  parents = (data?.dirs ?? []).filter(Boolean).map((dir) => {
    // Resolution from a file in X searches X/node_modules: for an entry
    // that is itself a node_modules folder, resolve from its parent.
    const base = path.basename(dir) === "node_modules" ? path.dirname(dir) : dir;
    return pathToFileURL(path.join(base, "switchboard-node-path.mjs")).href;
  });
}

function isBare(specifier) {
  return !/^(\.|\/|[A-Za-z][A-Za-z0-9+.-]*:)/.test(specifier);
}

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    if (err?.code !== "ERR_MODULE_NOT_FOUND" || !isBare(specifier)) throw err;
    for (const parentURL of parents) {
      try {
        return await nextResolve(specifier, { ...context, parentURL });
      } catch {
        // Not in this entry; try the next.
      }
    }
    throw err;
  }
}
