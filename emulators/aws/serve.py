"""Local AWS emulator: moto_server + moto_ext, behind a journal / fault / control middleware.

    python3 serve.py --port 0 [--exit-on-stdin-eof]

Prints `EMULATOR_READY port=N` once listening (or `EMULATOR_ERROR ...` and exits 3 when moto is
missing). Control routes live under /_emulator/ and are never journaled.

Off by default, for benchmarks (also settable through /_emulator/latency and /_emulator/iam-rate-limit):
    EMULATOR_LATENCY_MS="iam=90,eks=60,sts=40"  every request of that service answered that much later
    EMULATOR_IAM_WRITES_PER_SECOND=10           IAM mutating calls beyond 10 in any 1 s window: `Throttling` 400
    EMULATOR_PROPAGATION_SECONDS=3              trust / association changes reach the credential exchanges 3 s later

EKS Auth (AssumeRoleForPodIdentity), which moto lacks, is answered by exchanges.py behind the same journal,
latency and faults; see exchange_control.py for its control routes.
"""

import argparse
import io
import json
import os
import random
import re
import sys
import threading
import time
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"  # AWS-managed policy ARNs exist (read at backend creation)

try:  # the slow part of start-up (~0.8 s): flask, boto3, moto core
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import WSGIRequestHandler, make_server
except ImportError as e:
    print(f"EMULATOR_ERROR moto is not importable: {e}", flush=True)
    sys.exit(3)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no __pycache__ in the repo
import moto_ext  # noqa: E402
import effective  # noqa: E402
import exchange_control  # noqa: E402
import exchanges  # noqa: E402

QUERY_SERVICES = {"iam", "sts"}
UNSIGNED_STS = {"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"}
WARM = threading.Event()  # set once warm_up() is done


class Journal:
    def __init__(self) -> None:
        self.lock, self.entries = threading.Lock(), []

    def add(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.entries.append(entry)

    def clear(self) -> None:
        with self.lock:
            self.entries = []


class Faults:
    """Random throttling / server errors / delays, from a seeded RNG so test runs repeat."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.set({})

    def set(self, cfg: dict[str, Any]) -> None:
        with self.lock:
            self.cfg, self.rng = dict(cfg), random.Random(cfg.get("seed", 0))

    def pick(self, service: str, operation: str) -> tuple[str | None, float]:
        """-> (None | 'throttle' | 'error', delay seconds)"""
        c = self.cfg  # one consistent snapshot, even if set() runs meanwhile
        if not c or (c.get("services") and service not in c["services"]) or (
            c.get("operations") and operation not in c["operations"]
        ):
            return None, 0.0
        with self.lock:  # roll only the configured dice, so a seed gives the same sequence
            roll = lambda rate: rate > 0 and self.rng.random() < rate  # noqa: E731
            fault = "throttle" if roll(c.get("throttleRate", 0)) else "error" if roll(c.get("errorRate", 0)) else None
            delay = c.get("delayMs", 0) / 1000 if c.get("delayMs") and roll(c.get("delayRate", 1)) else 0.0
        return fault, delay


def parse_latency(text: str) -> dict[str, float]:
    """'iam=90,eks=60,sts=40,kube=15' -> {'iam': 90.0, ...} (ms); entries for other servers (kube) are kept, unused."""
    out: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = part.partition("=")
        try:
            out[name.strip().lower()] = max(0.0, float(value))
        except ValueError:
            raise SystemExit(f"EMULATOR_LATENCY_MS: '{part}' is not service=milliseconds")
    return out


class Latency:
    """Per-service delay (ms) before each request is answered; the server is threaded, so others go on meanwhile."""

    def __init__(self) -> None:
        self.default = parse_latency(os.environ.get("EMULATOR_LATENCY_MS", ""))
        self.ms = dict(self.default)

    def set(self, cfg: dict[str, Any]) -> None:
        self.ms = {str(k).lower(): max(0.0, float(v)) for k, v in cfg.items()}

    def reset(self) -> None:
        self.ms = dict(self.default)

    def of(self, service: str) -> float:
        """EKS Auth answers about as fast as EKS: it takes the `eks` figure unless `eks-auth` has its own."""
        if service == "eks-auth" and service not in self.ms:
            service = "eks"
        return self.ms.get(service, 0.0)


class IamWriteLimit:
    """At most N mutating IAM calls accepted in any 1 s window; the rest are throttled (not counted)."""

    def __init__(self) -> None:
        self.lock, self.accepted = threading.Lock(), []  # monotonic seconds of accepted writes
        raw = os.environ.get("EMULATOR_IAM_WRITES_PER_SECOND", "")
        self.default = float(raw) if raw.strip() else 0.0
        self.per_second = self.default

    def set(self, per_second: float) -> None:
        with self.lock:
            self.per_second, self.accepted = max(0.0, float(per_second or 0)), []

    def reset(self) -> None:
        self.set(self.default)

    def admit(self) -> bool:
        if not self.per_second:
            return True
        with self.lock:
            now = time.monotonic()
            self.accepted = [t for t in self.accepted if now - t < 1.0]
            if len(self.accepted) >= self.per_second:
                return False
            self.accepted.append(now)
            return True


def is_mutating(operation: str) -> bool:
    return not re.match(r"^(Get|List|Describe)", operation)


def now_ms() -> float:
    """CLOCK_MONOTONIC in ms: the same clock as Node's process.hrtime on Linux, so journals compare across processes."""
    return time.monotonic_ns() / 1e6


_rest_routes: dict[str, list[tuple[str, Any, str]]] = {}


def rest_operation(service: str, method: str, path: str) -> str:
    """Operation name of a rest-json/rest-xml request, from the botocore model's requestUri."""
    if service not in _rest_routes:
        from moto.core.responses import BaseResponse
        from moto.core.utils import get_service_model

        routes = []
        try:
            model = get_service_model(service)
            for name in model.operation_names:
                http = model.operation_model(name).http
                uri = http["requestUri"].split("?")[0]
                routes.append((http["method"], re.compile(BaseResponse.uri_to_regexp(uri)), name))
        except Exception:  # unknown service: journal it as "Unknown"
            pass
        routes.sort(key=lambda r: len(r[1].pattern), reverse=True)  # most specific first, as moto does
        _rest_routes[service] = routes
    return next((name for m, rx, name in _rest_routes[service] if m == method and rx.match(path)), "Unknown")


def identify(environ: dict[str, Any], body: bytes) -> tuple[str, str, str]:
    """-> (service, operation, region) from the SigV4 scope and the query/form/target/path."""
    service, region = "unknown", "us-east-1"
    auth = environ.get("HTTP_AUTHORIZATION", "")
    if "Credential=" in auth:
        scope = auth.split("Credential=", 1)[1].split(",")[0].split("/")
        if len(scope) >= 5:
            region, service = scope[2], scope[3]
    params = parse_qs(environ.get("QUERY_STRING", ""))
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        params.update(parse_qs(body.decode("utf-8", "replace")))
    action = (params.get("Action") or [""])[0]
    if action and service == "unknown" and action in UNSIGNED_STS:
        service = "sts"
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if action:
        return service, action, region
    if target:
        return service, target.split(".")[-1], region
    return service, rest_operation(service, environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")), region


# (status, code) in the query protocol (IAM, STS), the same in JSON protocols (EKS), message.
# The SDK retries all of them; the throttling codes/429 put it into its throttling back-off.
FAULT_FORMS = {
    "throttle": ((400, "Throttling"), (429, "ThrottlingException"), "Rate exceeded"),
    500: ((500, "InternalFailure"), (500, "ServerException"), "An internal error occurred"),
    503: ((503, "ServiceUnavailable"), (503, "ServiceUnavailableException"), "Service is unavailable"),
}


def error_response(service: str, status: int, code: str, message: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """An AWS error in the service's protocol: XML for the query services (IAM, STS), JSON otherwise."""
    request_id = "%032x" % random.getrandbits(128)
    if service in QUERY_SERVICES:
        side = "Sender" if status < 500 else "Receiver"
        body = (f'<ErrorResponse xmlns="https://{service}.amazonaws.com/doc/"><Error><Type>{side}</Type>'
                f"<Code>{code}</Code><Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>")
        return status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body.encode()
    headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", code), ("x-amzn-RequestId", request_id)]
    return status, headers, json.dumps({"message": message}).encode()


def fault_response(service: str, kind: str, error_status: int) -> tuple[int, list[tuple[str, str]], bytes]:
    query_form, json_form, message = FAULT_FORMS["throttle" if kind == "throttle" else error_status]
    request_id = "%032x" % random.getrandbits(128)
    if service in QUERY_SERVICES:
        status, code = query_form
        side = "Sender" if status < 500 else "Receiver"
        body = (f'<ErrorResponse xmlns="https://{service}.amazonaws.com/doc/"><Error><Type>{side}</Type>'
                f"<Code>{code}</Code><Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>")
        return status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body.encode()
    status, code = json_form
    headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", code), ("x-amzn-RequestId", request_id)]
    return status, headers, json.dumps({"message": message}).encode()


class Emulator:
    def __init__(self, app: Any, server_ref: dict[str, Any]) -> None:
        self.app, self.server_ref = app, server_ref
        self.journal, self.faults = Journal(), Faults()
        self.latency, self.iam_writes = Latency(), IamWriteLimit()

    def reset_extensions(self) -> None:
        moto_ext.reset()
        effective.reset()  # the propagation delay back to its env default, nothing pending
        exchange_control.reset()  # no operation refused; the service-account keys stay (wiring, like the CLI's)
        self.journal.clear()
        self.faults.set({})
        self.latency.reset()
        self.iam_writes.reset()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        start = now_ms()
        path, method = environ.get("PATH_INFO", ""), environ["REQUEST_METHOD"]
        body = read_body(environ)
        if path.startswith("/_emulator/"):
            return self.control(method, path[len("/_emulator/"):].strip("/"), body, start_response)
        WARM.wait(10)
        if path.startswith("/moto-api"):
            if path.rstrip("/") == "/moto-api/reset" and method == "POST":
                self.reset_extensions()
                out = self.app(environ, start_response)
                warm_backends()
                return out
            return self.app(environ, start_response)
        if environ.get("HTTP_X_EMULATOR_UNJOURNALED"):  # test set-up calls (index.ts createCluster)
            return self.app(environ, start_response)

        service, operation, region = identify(environ, body)
        fault, delay = self.faults.pick(service, operation)
        delay += self.latency.of(service) / 1000
        if delay:
            time.sleep(delay)  # this request's thread only
        if not fault and service == "iam" and is_mutating(operation) and not self.iam_writes.admit():
            fault = "throttle"
        # start/end: monotonic ms (now_ms) from the request's arrival to its answer, latency included
        entry = {"service": service, "operation": operation, "method": method, "path": path, "region": region, "start": start}
        answer = None
        refusal = moto_ext.region_refusal(service, operation, region)
        if refusal and not fault:  # a region not enabled (any regional service), or refused (EKS): see moto_ext
            status, code, message = refusal
            if service in QUERY_SERVICES and code == "UnrecognizedClientException":
                code = "InvalidClientTokenId"  # the query services' word for it
            answer = error_response(service, status, code, message)
        elif not fault and exchange_control.DENIED.denies(service, operation):
            answer = exchange_control.denied_response(environ, service, operation, region, path)
        elif not fault and exchanges.is_eks_auth(service, path):  # moto has no EKS Auth: served here
            answer = exchanges.handle_eks_auth(environ, body, region, path)
            entry["service"] = "eks-auth"
        if answer:
            status, headers, payload = answer
            self.journal.add({**entry, "end": now_ms(), "status": status})
            start_response(f"{status} {HTTPStatus(status).phrase}", headers + [("Content-Length", str(len(payload)))])
            return [payload]
        if fault:
            error_status = 503 if self.faults.cfg.get("errorStatus") == 503 else 500
            status, headers, payload = fault_response(service, fault, error_status)
            self.journal.add({**entry, "end": now_ms(), "status": status, "fault": fault})
            start_response(f"{status} {HTTPStatus(status).phrase}", headers + [("Content-Length", str(len(payload)))])
            return [payload]

        def record(status: str, headers: Any, exc_info: Any = None) -> Any:
            self.journal.add({**entry, "end": now_ms(), "status": int(status.split(" ", 1)[0])})
            return start_response(status, headers, exc_info)

        return self.app(environ, record)

    def control(self, method: str, route: str, raw: bytes, start_response: Any) -> list[bytes]:
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            return respond(start_response, 400, {"error": "body must be JSON"})
        if route == "health":
            return respond(start_response, 200, {"ok": True, "pid": os.getpid()})
        if route == "journal" and method == "GET":
            with self.journal.lock:
                return respond(start_response, 200, list(self.journal.entries))
        if route == "journal" and method == "DELETE":
            self.journal.clear()
            return respond(start_response, 200, {"ok": True})
        if route == "faults" and method in ("POST", "PUT"):
            self.faults.set(body)
            return respond(start_response, 200, self.faults.cfg)
        if route == "faults" and method == "GET":
            return respond(start_response, 200, self.faults.cfg)
        if route == "latency" and method in ("POST", "PUT"):
            try:
                self.latency.set(body)
            except (TypeError, ValueError, AttributeError):
                return respond(start_response, 400, {"error": 'latency: {"service": milliseconds, ...}'})
            return respond(start_response, 200, self.latency.ms)
        if route == "latency" and method == "GET":
            return respond(start_response, 200, self.latency.ms)
        if route == "iam-rate-limit" and method in ("POST", "PUT"):
            try:
                self.iam_writes.set(body.get("writesPerSecond", 0))
            except (TypeError, ValueError, AttributeError):
                return respond(start_response, 400, {"error": 'iam-rate-limit: {"writesPerSecond": n} (0: off)'})
            return respond(start_response, 200, {"writesPerSecond": self.iam_writes.per_second})
        if route == "iam-rate-limit" and method == "GET":
            return respond(start_response, 200, {"writesPerSecond": self.iam_writes.per_second})
        if route == "reset" and method == "POST":
            from moto.moto_api._internal.models import moto_api_backend

            moto_api_backend.reset()
            self.reset_extensions()
            warm_backends()
            return respond(start_response, 200, {"ok": True})
        if route == "shutdown" and method == "POST":
            threading.Thread(target=self.server_ref["server"].shutdown, daemon=True).start()
            return respond(start_response, 200, {"ok": True})
        status, payload = moto_ext.control(method, route, body)
        if payload is None:
            status, payload = exchange_control.control(method, route, body)
        return respond(start_response, status, payload if payload is not None else {"error": f"no route {method} /_emulator/{route}"})


def read_body(environ: dict[str, Any]) -> bytes:
    """Read the request body and put it back, so moto can read it again."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ["wsgi.input"]
    body = stream.read(length) if length > 0 else (stream.read() if environ.get("wsgi.input_terminated") else b"")
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def respond(start_response: Any, status: int, payload: Any) -> list[bytes]:
    data = json.dumps(payload, default=str).encode()
    start_response(f"{status} {HTTPStatus(status).phrase}",
                   [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:  # the journal is the log
        pass


def exit_when_parent_goes() -> None:
    """The parent holds our stdin; EOF means it is gone (even after SIGKILL), so we go too."""
    def watch() -> None:
        while sys.stdin.buffer.read(4096):
            pass
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def warm_backends() -> None:
    """Create the IAM and EKS backends now (IAM loads ~1000 AWS-managed policies, ~0.1 s) rather than in the
    first request after a reset, which would otherwise look that much slower than its peers."""
    from moto.eks.models import eks_backends
    from moto.iam.models import iam_backends

    iam_backends[moto_ext.DEFAULT_ACCOUNT]["aws"]
    eks_backends[moto_ext.DEFAULT_ACCOUNT]["us-east-1"]


def warm_up(dispatcher: Any) -> None:
    """After READY, pay in the background what the first EKS/IAM/STS calls would (~0.5 s).
    AWS requests wait for it (WARM) rather than race it: racing doubles the work under the GIL."""
    from moto.core.responses import _get_method_urls

    try:
        for service in ("eks", "iam", "sts"):
            with dispatcher.lock:
                if service not in dispatcher.app_instances:
                    dispatcher.app_instances[service] = create_backend_app(service)
        _get_method_urls("eks", "us-east-1")
        rest_operation("eks", "GET", "/")
        rest_operation("eks-auth", "POST", "/")
        warm_backends()
    finally:
        WARM.set()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    args = parser.parse_args()
    if args.exit_on_stdin_eof:
        exit_when_parent_goes()

    moto_ext.apply()
    effective.apply()
    exchanges.apply()
    server_ref: dict[str, Any] = {}
    dispatcher = DomainDispatcherApplication(create_backend_app)
    app = Emulator(dispatcher, server_ref)
    server = make_server(args.host, args.port, app, threaded=True, request_handler=QuietHandler)
    server_ref["server"] = server
    print(f"EMULATOR_READY port={server.server_port}", flush=True)
    threading.Thread(target=warm_up, args=(dispatcher,), daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
