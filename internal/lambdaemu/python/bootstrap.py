"""Switchboard's Python bootstrap: a small Lambda runtime client.

It imports the handler named by _HANDLER from LAMBDA_TASK_ROOT, then polls
the Runtime API at AWS_LAMBDA_RUNTIME_API for invocations, one at a time, as
Lambda's own Python runtime does. Go embeds this file and runs it with the
system's python3.
"""

import http.client
import importlib
import importlib.machinery
import json
import logging
import os
import sys
import time
import traceback

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
TASK_ROOT = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
HANDLER = os.environ.get("_HANDLER", "")

# The request id of the invocation being handled, for log lines.
current_request_id = None


class RuntimeAPI:
    """A keep-alive HTTP connection to the Runtime API."""

    def __init__(self, address):
        # host:port, then a path prefix (Switchboard's per-process secret).
        hostport, slash, prefix = address.partition("/")
        host, _, port = hostport.rpartition(":")
        self.host, self.port = host.strip("[]"), int(port)
        self.prefix = (slash + prefix).rstrip("/")
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if body is not None:
            headers.setdefault("Content-Type", "application/json")
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port)
            try:
                self.conn.request(method, self.prefix + "/2018-06-01/runtime" + path, body=body, headers=headers)
                resp = self.conn.getresponse()
                return resp.status, resp.headers, resp.read()
            except (http.client.HTTPException, OSError):
                # A dropped keep-alive connection: reconnect once.
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise


api = RuntimeAPI(API)


def error_shape(exc, error_type=None):
    """Lambda's error body for an exception."""
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": current_request_id or "",
        "stackTrace": traceback.format_list(traceback.extract_tb(exc.__traceback__)),
    }


def post_error(path, shape):
    api.request("POST", path, json.dumps(shape), {"Lambda-Runtime-Function-Error-Type": shape["errorType"]})


def init_error(error_type, message, exc=None):
    print(f"{error_type}: {message}", file=sys.stderr, flush=True)
    shape = {"errorMessage": message, "errorType": error_type, "requestId": "", "stackTrace": []}
    if exc is not None:
        shape["stackTrace"] = traceback.format_list(traceback.extract_tb(exc.__traceback__))
    try:
        post_error("/init/error", shape)
    finally:
        os._exit(1)


class LambdaFormatter(logging.Formatter):
    """Formats log records as Lambda's Python runtime does, one line each:
    level, time, request id, message (newlines become carriage returns)."""

    def format(self, record):
        record.aws_request_id = current_request_id or ""
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + self.formatException(record.exc_info)
        message = message.replace("\r\n", "\n").replace("\n", "\r")
        return f"[{record.levelname}]\t{stamp}\t{record.aws_request_id}\t{message}"


def setup_logging():
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(LambdaFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


def in_task_root(module_name):
    """Whether the module's file lies in TASK_ROOT, found without importing
    anything and with symbolic links followed."""
    root = os.path.realpath(TASK_ROOT)
    path = [TASK_ROOT]
    spec = None
    parts = module_name.split(".")
    for i in range(len(parts)):
        spec = importlib.machinery.PathFinder.find_spec(".".join(parts[: i + 1]), path)
        if spec is None:
            return False
        path = list(spec.submodule_search_locations or [])
    origins = [spec.origin] if spec.origin else path
    for origin in origins:
        real = os.path.realpath(origin)
        if os.path.commonpath([root, real]) != root:
            return False
    return bool(origins)


def load_handler():
    """Resolves "dir/module.function" the way Lambda does."""
    module_path, _, function_name = HANDLER.rpartition(".")
    if not module_path or not function_name:
        init_error("Runtime.MalformedHandlerName", f"Bad handler '{HANDLER}': expected module.function, such as app.lambda_handler")
    module_name = module_path.replace("/", ".")
    if not in_task_root(module_name):
        # Python would find it anywhere on its path (the standard library,
        # site packages): that is not the function's own code.
        init_error(
            "Runtime.ImportModuleError",
            f"Unable to import module '{module_name}': it is not in the code folder {TASK_ROOT} (a handler runs only its own folder's code)",
        )
    sys.path.insert(0, TASK_ROOT)
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as exc:
        where = os.path.relpath(exc.filename, TASK_ROOT) if exc.filename else module_path + ".py"
        init_error(
            "Runtime.UserCodeSyntaxError",
            f"{where}:{exc.lineno}:{exc.offset}: Syntax error in module '{module_name}': {exc.msg}",
            exc,
        )
    except ImportError as exc:
        init_error("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}", exc)
    except Exception as exc:  # init code that raised
        init_error(type(exc).__name__, f"{module_path}.py: {type(exc).__name__}: {exc}", exc)
    fn = getattr(module, function_name, None)
    if not callable(fn):
        init_error("Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'")
    return fn


class LambdaContext:
    """The context object a Python handler receives."""

    def __init__(self, request_id, deadline_ms, arn):
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


def main():
    global current_request_id
    setup_logging()
    handler = load_handler()
    while True:
        status, headers, body = api.request("GET", "/invocation/next")
        if status != 200:
            raise RuntimeError(f"runtime API /next answered {status}: {body!r}")
        request_id = headers["Lambda-Runtime-Aws-Request-Id"]
        trace_id = headers.get("Lambda-Runtime-Trace-Id")
        if trace_id:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        context = LambdaContext(request_id, int(headers.get("Lambda-Runtime-Deadline-Ms", "0")), headers.get("Lambda-Runtime-Invoked-Function-Arn"))
        current_request_id = request_id
        try:
            try:
                event = json.loads(body or b"null")
            except ValueError as exc:
                post_error(f"/invocation/{request_id}/error", error_shape(exc, "Runtime.UnmarshalError"))
                continue
            try:
                result = handler(event, context)
            except Exception as exc:
                logging.getLogger().error("%s: %s", type(exc).__name__, exc, exc_info=exc)
                post_error(f"/invocation/{request_id}/error", error_shape(exc))
                continue
            try:
                payload = json.dumps(result)
            except (TypeError, ValueError) as exc:
                shape = error_shape(exc, "Runtime.MarshalError")
                shape["errorMessage"] = f"Unable to marshal response: {exc}"
                post_error(f"/invocation/{request_id}/error", shape)
                continue
            api.request("POST", f"/invocation/{request_id}/response", payload)
        finally:
            current_request_id = None


if __name__ == "__main__":
    main()
