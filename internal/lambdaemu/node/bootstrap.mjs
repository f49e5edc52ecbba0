// Switchboard's Node.js bootstrap: a small Lambda runtime client. It loads
// the handler named by _HANDLER from LAMBDA_TASK_ROOT, then polls the Runtime
// API at AWS_LAMBDA_RUNTIME_API for invocations, one at a time, as Lambda's
// own Node.js runtime does. Go embeds this file and runs it with node.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import * as nodeModule from "node:module";
import util from "node:util";

const runtimeAPI = process.env.AWS_LAMBDA_RUNTIME_API;
const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
const handlerName = process.env._HANDLER || "";
// A keep-alive agent with one socket: one invocation at a time, and the
// long-poll on /next reuses the connection of the previous response.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

// current is the invocation being handled, so uncaught errors can be
// reported against it.
let current = null;

function request(method, urlPath, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `http://${runtimeAPI}/2018-06-01/runtime${urlPath}`,
      {
        method,
        agent,
        // A known length, not chunked encoding: the request goes out in one write.
        headers: body === undefined ? headers : { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body), ...headers },
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

// errorShape turns anything thrown into Lambda's error body.
function errorShape(err, fallbackType = "Error") {
  if (err instanceof Error) {
    return {
      errorType: err.name && err.name !== "Error" ? err.name : (err.constructor?.name ?? fallbackType),
      errorMessage: err.message,
      stackTrace: String(err.stack ?? "").split("\n").slice(1).map((l) => l.trim()),
    };
  }
  // Lambda reports a thrown non-Error by its type, as its runtime does.
  const type = err === null ? "null" : typeof err;
  let message;
  try {
    message = typeof err === "string" ? err : JSON.stringify(err);
  } catch {
    message = String(err);
  }
  return { errorType: type, errorMessage: message ?? String(err), stackTrace: [] };
}

async function postError(urlPath, shape) {
  const body = JSON.stringify(shape);
  await request("POST", urlPath, body, { "Lambda-Runtime-Function-Error-Type": shape.errorType });
}

async function initError(type, message, stackTrace = []) {
  console.error(`${type}: ${message}`);
  try {
    await postError("/init/error", { errorType: type, errorMessage: message, stackTrace });
  } finally {
    process.exit(1);
  }
}

// syntaxLocation asks node --check for the line and column of a syntax error
// in file, because a failed dynamic import of an ES module does not say
// where the error is. It returns "file:line:column" or "".
function syntaxLocation(file) {
  const r = spawnSync(process.execPath, ["--check", file], { encoding: "utf8", timeout: 5000 });
  const lines = (r.stderr || "").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^(.*):(\d+)$/.exec(lines[i]);
    if (!m || !lines[i + 2]?.includes("^")) continue;
    return `${path.relative(taskRoot, m[1]) || m[1]}:${m[2]}:${lines[i + 2].indexOf("^") + 1}`;
  }
  return "";
}

// loadHandler resolves "dir/module.export[.nested]" as Lambda does: the
// module is dir/module with .js, .mjs or .cjs, searched in that order.
async function loadHandler() {
  const slash = handlerName.lastIndexOf("/");
  const dot = handlerName.indexOf(".", slash + 1);
  if (dot < 0) {
    return initError("Runtime.MalformedHandlerName", `Bad handler ${handlerName}: expected module.export, such as index.handler`);
  }
  const modulePath = handlerName.slice(0, dot);
  const exportPath = handlerName.slice(dot + 1).split(".");
  const file = [".js", ".mjs", ".cjs"]
    .map((ext) => path.resolve(taskRoot, modulePath + ext))
    .find((f) => fs.existsSync(f));
  if (!file) {
    return initError(
      "Runtime.ImportModuleError",
      `Error: Cannot find module '${modulePath}': none of ${modulePath}.js, ${modulePath}.mjs, ${modulePath}.cjs exists in ${taskRoot}`,
    );
  }
  const shown = path.relative(taskRoot, file);
  // Only the function's own code runs: not a path out of the code folder,
  // absolute or through .., nor a symbolic link leading out of it.
  const root = fs.realpathSync(taskRoot);
  const real = fs.realpathSync(file);
  if (real !== root && !real.startsWith(root + path.sep)) {
    return initError(
      "Runtime.ImportModuleError",
      `Error: Cannot load module '${modulePath}': ${real} is outside the code folder ${taskRoot} (a handler runs only its own folder's code)`,
    );
  }
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    if (err instanceof SyntaxError) {
      const where = syntaxLocation(file);
      const message = where
        ? `${where}: SyntaxError: ${err.message}`
        : `${shown} (or a module it imports): SyntaxError: ${err.message}`;
      return initError("Runtime.UserCodeSyntaxError", message, errorShape(err).stackTrace);
    }
    const shape = errorShape(err);
    const type = err?.code === "ERR_MODULE_NOT_FOUND" || err?.code === "MODULE_NOT_FOUND" ? "Runtime.ImportModuleError" : shape.errorType;
    return initError(type, `${shown}: ${shape.errorType}: ${shape.errorMessage}`, shape.stackTrace);
  }
  let fn = mod;
  for (const key of exportPath) fn = fn?.[key];
  // A CommonJS module may expose its exports only as the default export.
  if (typeof fn !== "function" && mod.default) {
    fn = mod.default;
    for (const key of exportPath) fn = fn?.[key];
  }
  if (typeof fn !== "function") {
    return initError("Runtime.HandlerNotFound", `${shown}: ${handlerName} is undefined or not exported`);
  }
  return fn;
}

// invoke runs the handler for one event, async or callback style, and
// settles with its result. The first of return, callback or context.done
// wins, as on Lambda.
function invoke(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (err, result) => {
      if (settled) return;
      settled = true;
      if (err !== undefined && err !== null) reject(err);
      else resolve(result);
    };
    context.done = settle;
    context.succeed = (result) => settle(null, result);
    context.fail = (err) => settle(err ?? new Error("handled"));
    let ret;
    try {
      ret = handler(event, context, settle);
    } catch (err) {
      settle(err);
      return;
    }
    if (ret && typeof ret.then === "function") {
      ret.then((result) => settle(null, result), (err) => settle(err ?? new Error("rejected")));
    } else if (handler.length < 3) {
      // A plain function without a callback: what it returns is the
      // result (undefined becomes null), as with an async handler.
      settle(null, ret);
    }
  });
}

// initialized turns true once the handler is loaded.
let initialized = false;

async function main() {
  if (process.env.NODE_PATH && typeof nodeModule.register === "function") {
    nodeModule.register("./hooks.mjs", import.meta.url, { data: { dirs: process.env.NODE_PATH.split(path.delimiter) } });
  }
  const handler = await loadHandler();
  initialized = true;
  for (;;) {
    const next = await request("GET", "/invocation/next");
    if (next.status !== 200) {
      throw new Error(`runtime API /next answered ${next.status}: ${next.body}`);
    }
    const id = next.headers["lambda-runtime-aws-request-id"];
    const deadline = Number(next.headers["lambda-runtime-deadline-ms"]);
    const traceId = next.headers["lambda-runtime-trace-id"];
    if (traceId) process.env._X_AMZN_TRACE_ID = traceId;
    else delete process.env._X_AMZN_TRACE_ID;
    const context = {
      awsRequestId: id,
      invokedFunctionArn: next.headers["lambda-runtime-invoked-function-arn"],
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    current = id;
    let event;
    try {
      event = JSON.parse(next.body.toString("utf8") || "null");
    } catch (err) {
      await postError(`/invocation/${id}/error`, { errorType: "Runtime.UnmarshalError", errorMessage: `event is not JSON: ${err.message}`, stackTrace: [] });
      current = null;
      continue;
    }
    try {
      const result = await invoke(handler, event, context);
      let body;
      try {
        body = JSON.stringify(result === undefined ? null : result);
      } catch (err) {
        await postError(`/invocation/${id}/error`, { errorType: "Runtime.MarshalError", errorMessage: `Unable to stringify response body: ${err.message}`, stackTrace: [] });
        continue;
      }
      await request("POST", `/invocation/${id}/response`, body);
    } catch (err) {
      await postError(`/invocation/${id}/error`, errorShape(err));
    } finally {
      current = null;
    }
  }
}

// Like Lambda's Node.js runtime, console methods write one line per call:
// time, request id, level, message, with the message's newlines turned into
// carriage returns so a stack trace stays one entry. Switchboard reads the
// request id from it.
const levels = { log: "INFO", info: "INFO", debug: "DEBUG", warn: "WARN", error: "ERROR", trace: "TRACE" };
for (const [method, level] of Object.entries(levels)) {
  const stream = level === "INFO" || level === "DEBUG" ? process.stdout : process.stderr;
  console[method] = (...args) => {
    let message = util.format(...args);
    if (method === "trace") message = `Trace: ${message}\n${new Error().stack.split("\n").slice(2).join("\n")}`;
    stream.write(`${new Date().toISOString()}\t${current ?? "undefined"}\t${level}\t${message.replace(/\r?\n/g, "\r")}\n`);
  };
}

// Lambda's Node.js runtime reports an uncaught exception or unhandled
// rejection against the current invocation, then ends the process, which
// Lambda restarts for the next one.
async function fatal(type, err, code) {
  const shape = errorShape(err);
  console.error(`${type}`, err);
  try {
    if (current) await postError(`/invocation/${current}/error`, { ...shape, errorType: type === "Runtime.UnhandledPromiseRejection" ? type : shape.errorType });
    else if (!initialized) await postError("/init/error", shape);
    // Between invocations there is nobody to tell: the process just ends.
  } catch {
    // The server is gone; exiting is all that is left.
  }
  process.exit(code);
}
process.on("uncaughtException", (err) => fatal("Uncaught Exception", err, 129));
process.on("unhandledRejection", (err) => fatal("Runtime.UnhandledPromiseRejection", err, 128));

main().catch((err) => {
  console.error("bootstrap:", err);
  process.exit(1);
});
