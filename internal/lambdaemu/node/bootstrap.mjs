// Switchboard's Node.js bootstrap: a small Lambda runtime client. It loads
// the handler named by _HANDLER from LAMBDA_TASK_ROOT, then polls the Runtime
// API at AWS_LAMBDA_RUNTIME_API for invocations, one at a time, as Lambda's
// own Node.js runtime does. Go embeds this file and runs it with node.
import net from "node:net";
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import * as nodeModule from "node:module";
import util from "node:util";

const runtimeAPI = process.env.AWS_LAMBDA_RUNTIME_API;
const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
const handlerName = process.env._HANDLER || "";

// current is the invocation being handled, so uncaught errors can be
// reported against it.
let current = null;

// RuntimeClient speaks HTTP/1.1 to the Runtime API over one kept-alive
// socket, by hand: node:http's client costs more CPU per invocation than
// the handler of a small function does, and an invocation's response and
// the next poll go out in one write (pipelined), so the runtime answers
// with one system call and no wait for the response's acknowledgement.
// Responses come back in the order of the requests.
class RuntimeClient {
  constructor(api) {
    const slash = api.indexOf("/");
    this.hostPort = slash < 0 ? api : api.slice(0, slash);
    this.prefix = (slash < 0 ? "" : api.slice(slash)) + "/2018-06-01/runtime";
    const colon = this.hostPort.lastIndexOf(":");
    this.host = this.hostPort.slice(0, colon).replace(/^\[|\]$/g, "");
    this.port = Number(this.hostPort.slice(colon + 1));
    this.socket = null;
    this.pending = []; // requests written and not yet answered, oldest first
    this.chunks = [];
    this.buffered = 0;
  }

  // send writes the requests ({method, path, body, headers}) in one write
  // and returns a promise of each one's response {status, headers, body}.
  send(requests) {
    const socket = this.connect();
    const parts = [];
    const promises = requests.map((req) => {
      const body = req.body === undefined ? null : Buffer.from(req.body, "utf8");
      let head = `${req.method} ${this.prefix}${req.path} HTTP/1.1\r\nHost: ${this.hostPort}\r\n`;
      for (const [k, v] of Object.entries(req.headers ?? {})) head += `${k}: ${v}\r\n`;
      head += body ? `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n` : "\r\n";
      parts.push(Buffer.from(head, "latin1"));
      if (body) parts.push(body);
      return new Promise((resolve, reject) => this.pending.push({ req, resolve, reject }));
    });
    socket.write(parts.length === 1 ? parts[0] : Buffer.concat(parts));
    return promises;
  }

  request(method, urlPath, body, headers) {
    return this.send([{ method, path: urlPath, body, headers }])[0];
  }

  connect() {
    if (this.socket) return this.socket;
    const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
    this.socket = socket;
    this.chunks = [];
    this.buffered = 0;
    socket.on("data", (chunk) => this.onData(chunk));
    socket.on("error", () => {}); // "close" follows and says what is lost
    socket.on("close", () => this.onClose(socket));
    return socket;
  }

  onClose(socket) {
    if (this.socket !== socket) return;
    this.socket = null;
    const lost = this.pending;
    this.pending = [];
    // A poll of /next the server did not answer before closing asks
    // again on a new connection; a post may have arrived, so it fails.
    const again = lost.filter((p) => p.req.method === "GET");
    for (const p of lost) if (p.req.method !== "GET") p.reject(new Error(`runtime API closed the connection during ${p.req.method} ${p.req.path}`));
    if (again.length > 0) {
      this.send(again.map((p) => p.req)).forEach((promise, i) => promise.then(again[i].resolve, again[i].reject));
    }
  }

  onData(chunk) {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
      this.chunks = [buf];
      const res = parseResponse(buf);
      if (!res) return;
      const rest = buf.subarray(res.length);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      const p = this.pending.shift();
      if (res.headers.connection === "close") {
        this.socket?.destroy();
      }
      p?.resolve(res);
      if (rest.length === 0) return;
    }
  }
}

// parseResponse reads one HTTP/1.1 response from the start of buf, or
// returns null when buf does not hold all of it yet.
function parseResponse(buf) {
  const end = buf.indexOf("\r\n\r\n");
  if (end < 0) return null;
  const lines = buf.toString("latin1", 0, end).split("\r\n");
  const status = Number(lines[0].split(" ")[1]);
  const headers = {};
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(":");
    if (colon > 0) headers[lines[i].slice(0, colon).trim().toLowerCase()] = lines[i].slice(colon + 1).trim();
  }
  let at = end + 4;
  if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
    const parts = [];
    for (;;) {
      const lineEnd = buf.indexOf("\r\n", at);
      if (lineEnd < 0) return null;
      const size = parseInt(buf.toString("latin1", at, lineEnd), 16);
      if (buf.length < lineEnd + 2 + size + 2) return null;
      if (size === 0) {
        // No trailers from the Runtime API: the final CRLF ends it.
        return { status, headers, body: Buffer.concat(parts), length: lineEnd + 4 };
      }
      parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
  const length = Number(headers["content-length"] ?? 0);
  if (buf.length < at + length) return null;
  return { status, headers, body: buf.subarray(at, at + length), length: at + length };
}

// InvocationStream is Switchboard's invocation stream (lambdaemu's
// stream.go): one connection, asked for with a post to /invocation/stream,
// on which each invocation arrives as one frame and each outcome goes back
// as one write, without HTTP's parsing and headers per invocation.
class InvocationStream {
  constructor(client) {
    this.client = client;
    this.socket = null;
    this.buf = Buffer.alloc(0);
    this.upgraded = false;
    this.frames = []; // invocations read and not yet asked for
    this.waiting = null; // {resolve, reject} of next()
    this.failure = null;
  }

  // open resolves once the server switched the connection to the stream,
  // or rejects (a server without it: the bootstrap then polls).
  open() {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.client.host, port: this.client.port, noDelay: true });
      this.socket = socket;
      this.opened = { resolve, reject };
      socket.on("data", (chunk) => this.onData(chunk));
      socket.on("error", () => {}); // "close" follows
      socket.on("close", () => this.fail(new Error("runtime API closed the invocation stream")));
      socket.write(`POST ${this.client.prefix}/invocation/stream HTTP/1.1\r\nHost: ${this.client.hostPort}\r\nContent-Length: 0\r\n\r\n`);
    });
  }

  fail(err) {
    this.failure ??= err;
    this.opened?.reject(err);
    this.opened = null;
    const w = this.waiting;
    this.waiting = null;
    w?.reject(err);
  }

  onData(chunk) {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    if (!this.upgraded) {
      const end = this.buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const status = Number(this.buf.toString("latin1", 0, end).split(" ")[1]);
      if (status !== 101) {
        this.socket.destroy();
        this.fail(new Error(`runtime API answered ${status} to the invocation stream`));
        return;
      }
      this.upgraded = true;
      this.buf = this.buf.subarray(end + 4);
      this.opened.resolve();
      this.opened = null;
    }
    for (;;) {
      const buf = this.buf;
      if (buf.length < 4) return;
      const metaLen = buf.readUInt32BE(0);
      if (buf.length < 8 + metaLen) return;
      const bodyLen = buf.readUInt32BE(4 + metaLen);
      const end = 8 + metaLen + bodyLen;
      if (buf.length < end) return;
      const [id, deadline, arn, trace] = buf.toString("utf8", 4, 4 + metaLen).split("\n");
      const frame = { id, deadline: Number(deadline), arn, trace, body: buf.subarray(8 + metaLen, end) };
      this.buf = buf.subarray(end);
      const w = this.waiting;
      if (w) {
        this.waiting = null;
        w.resolve(frame);
      } else {
        this.frames.push(frame);
      }
    }
  }

  // next resolves with the next invocation.
  next() {
    if (this.frames.length > 0) return Promise.resolve(this.frames.shift());
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  // complete sends an outcome: kind "R" with the result's JSON, or "E" with
  // the error's.
  complete(kind, id, body) {
    const idBytes = Buffer.from(id, "latin1");
    const bodyBytes = Buffer.from(body, "utf8");
    const frame = Buffer.allocUnsafe(6 + idBytes.length + bodyBytes.length);
    frame[0] = kind.charCodeAt(0);
    frame[1] = idBytes.length;
    frame.writeUInt32BE(bodyBytes.length, 2);
    idBytes.copy(frame, 6);
    bodyBytes.copy(frame, 6 + idBytes.length);
    this.socket.write(frame);
  }
}

const api = new RuntimeClient(runtimeAPI);

function request(method, urlPath, body, headers = {}) {
  return api.request(method, urlPath, body, headers);
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

// needsResolveHook reports whether a NODE_PATH entry is a folder import
// would not search from the task root: only then is the resolve hook
// registered, whose loader thread costs every start some tens of
// milliseconds of CPU (a starter's folder reaches the SDK through a
// node_modules beside it).
function needsResolveHook(dirs) {
  const real = (p) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return null;
    }
  };
  const searched = new Set();
  for (let dir = real(taskRoot); dir; ) {
    const modules = real(path.join(dir, "node_modules"));
    if (modules) searched.add(modules);
    const parent = path.dirname(dir);
    dir = parent === dir ? null : parent;
  }
  return dirs.some((d) => {
    const r = real(d);
    return r !== null && !searched.has(r);
  });
}

// traceEnv makes process.env._X_AMZN_TRACE_ID, which changes with every
// invocation as on Lambda, a value of its own rather than the process's
// environment: the C library keeps every value ever set there (setenv
// never frees one), 75 MB after 500,000 invocations, and searches them on
// each set. Reads, enumeration and child processes see it as before; every
// other variable is the environment itself. It returns the setter.
function traceEnv() {
  const key = "_X_AMZN_TRACE_ID";
  const env = process.env;
  let value = env[key];
  delete env[key];
  const own = (k) => k === key;
  process.env = new Proxy(env, {
    get: (t, k) => (own(k) ? value : Reflect.get(t, k)),
    set: (t, k, v) => {
      if (!own(k)) return Reflect.set(t, k, v);
      value = String(v);
      return true;
    },
    has: (t, k) => (own(k) ? value !== undefined : Reflect.has(t, k)),
    deleteProperty: (t, k) => {
      if (!own(k)) return Reflect.deleteProperty(t, k);
      value = undefined;
      return true;
    },
    ownKeys: (t) => {
      const keys = Reflect.ownKeys(t);
      return value === undefined ? keys : [...keys, key];
    },
    getOwnPropertyDescriptor: (t, k) => {
      if (!own(k)) return Reflect.getOwnPropertyDescriptor(t, k);
      return value === undefined ? undefined : { value, writable: true, enumerable: true, configurable: true };
    },
    defineProperty: (t, k, d) => {
      if (!own(k)) return Reflect.defineProperty(t, k, d);
      value = String(d.value);
      return true;
    },
  });
  return (v) => {
    value = v;
  };
}
const setTraceID = traceEnv();

async function main() {
  const nodePath = (process.env.NODE_PATH ?? "").split(path.delimiter).filter(Boolean);
  if (typeof nodeModule.register === "function" && needsResolveHook(nodePath)) {
    nodeModule.register("./hooks.mjs", import.meta.url, { data: { dirs: nodePath } });
  }
  const handler = await loadHandler();
  initialized = true;
  // The invocation stream when the server has it, else the Runtime API's
  // polls: next() gives an invocation {id, deadline, arn, trace, body},
  // complete() posts its outcome.
  let next, complete;
  const stream = new InvocationStream(api);
  try {
    await stream.open();
    next = () => stream.next();
    complete = (kind, id, body, errorType) => stream.complete(kind, id, body);
  } catch {
    let polled = request("GET", "/invocation/next");
    const asInvocation = (res) => {
      if (res.status !== 200) {
        throw new Error(`runtime API /next answered ${res.status}: ${res.body}`);
      }
      return {
        id: res.headers["lambda-runtime-aws-request-id"],
        deadline: Number(res.headers["lambda-runtime-deadline-ms"]),
        arn: res.headers["lambda-runtime-invoked-function-arn"],
        trace: res.headers["lambda-runtime-trace-id"],
        body: res.body,
      };
    };
    next = () => polled.then(asInvocation);
    // An outcome's post and the next poll go out in the same write.
    complete = (kind, id, body, errorType) => {
      const post = kind === "E"
        ? { method: "POST", path: `/invocation/${id}/error`, body, headers: { "Lambda-Runtime-Function-Error-Type": errorType } }
        : { method: "POST", path: `/invocation/${id}/response`, body };
      const [posted, again] = api.send([post, { method: "GET", path: "/invocation/next" }]);
      posted.catch(() => {}); // a lost post shows as the poll's failure
      polled = again;
    };
  }
  const completeError = (id, shape) => complete("E", id, JSON.stringify(shape), shape.errorType);
  // What the context says of the function is read once: five reads of
  // process.env per invocation cost more than the rest of its context.
  const fixedContext = {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
  };
  for (;;) {
    const inv = await next();
    const { id, deadline, trace: traceId } = inv;
    setTraceID(traceId || undefined);
    const context = {
      awsRequestId: id,
      invokedFunctionArn: inv.arn,
      ...fixedContext,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    current = id;
    let event;
    try {
      event = JSON.parse(inv.body.toString("utf8") || "null");
    } catch (err) {
      current = null;
      completeError(id, { errorType: "Runtime.UnmarshalError", errorMessage: `event is not JSON: ${err.message}`, stackTrace: [] });
      continue;
    }
    let result;
    try {
      result = await invoke(handler, event, context);
    } catch (err) {
      current = null;
      completeError(id, errorShape(err));
      continue;
    }
    let body;
    try {
      body = JSON.stringify(result === undefined ? null : result);
    } catch (err) {
      current = null;
      completeError(id, { errorType: "Runtime.MarshalError", errorMessage: `Unable to stringify response body: ${err.message}`, stackTrace: [] });
      continue;
    }
    current = null;
    complete("R", id, body);
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
