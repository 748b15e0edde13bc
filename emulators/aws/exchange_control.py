"""Control routes (/_emulator/...) of the credential exchanges, and the switch that refuses operations:

    POST /_emulator/service-account-keys   {"keys": [...]}   the JWKS service-account tokens are checked with
    GET  /_emulator/service-account-keys
    POST /_emulator/propagation-delay      {"seconds": n}    trust / association changes take effect n s later
    GET  /_emulator/propagation-delay                        {"seconds", "pending"}
    POST /_emulator/deny-operations        {"operations": ["AssumeRoleForPodIdentity", "iam:CreateRole", ...]}
    POST /_emulator/pod-bound-tokens       {"required": true}  EKS Auth refuses tokens not bound to a pod (as AWS)
    POST /_emulator/effective-association  {"clusterName", "namespace", "serviceAccount"[, "region", "accountId"]}
                                           -> {"association": {...} | null}, as the exchanges see it now
"""

import threading
from typing import Any

import moto_ext
from effective import effective_association, find_cluster
from exchanges import EKS_AUTH_PATH, POD_BOUND, json_response, request_id
from propagation import PROPAGATION
from sa_tokens import KEYS

QUERY_SERVICES = {"iam", "sts"}


class DeniedOperations:
    """Operations answered AccessDenied(Exception), as when the caller's policies lack the action."""

    def __init__(self) -> None:
        self.lock, self.names = threading.Lock(), set()

    def set(self, names: list[str]) -> None:
        with self.lock:
            self.names = {str(n).lower() for n in names}

    def denies(self, service: str, operation: str) -> bool:
        names = self.names
        return bool(names) and (operation.lower() in names or f"{service}:{operation}".lower() in names)


DENIED = DeniedOperations()


def _caller_arn(environ: dict[str, Any], account: str, region: str) -> str:
    from moto.sts.models import sts_backends

    auth = environ.get("HTTP_AUTHORIZATION", "")
    access_key = auth.split("Credential=", 1)[1].split("/")[0] if "Credential=" in auth else ""
    try:
        return sts_backends[account]["aws"].get_caller_identity(access_key, region)[1]
    except Exception:  # the answer is an error anyway; its wording must not fail
        return f"arn:aws:iam::{account}:user/moto"


def denied_response(environ: dict[str, Any], service: str, operation: str, region: str,
                    path: str) -> tuple[int, list[tuple[str, str]], bytes]:
    from moto.iam import models as iam_models

    auth = environ.get("HTTP_AUTHORIZATION", "")
    access_key = auth.split("Credential=", 1)[1].split("/")[0] if "Credential=" in auth else ""
    account = iam_models.get_account_id_from(access_key)
    action = f"{service}:{operation}"
    match = EKS_AUTH_PATH.match(path)
    resource = f"arn:aws:eks:{region}:{account}:cluster/{match.group(1)}" if match else "*"
    message = (f"User: {_caller_arn(environ, account, region)} is not authorized to perform: {action} "
               f"on resource: {resource} because no identity-based policy allows the {action} action")
    if service in QUERY_SERVICES:
        rid = request_id()
        body = (f'<ErrorResponse xmlns="https://{service}.amazonaws.com/doc/"><Error><Type>Sender</Type>'
                f"<Code>AccessDenied</Code><Message>{message}</Message></Error>"
                f"<RequestId>{rid}</RequestId></ErrorResponse>").encode()
        return 403, [("Content-Type", "text/xml"), ("x-amzn-RequestId", rid)], body
    status = 400 if service == "eks-auth" else 403  # the EKS Auth model says 400 for AccessDeniedException
    return json_response(status, {"message": message}, "AccessDeniedException")


def control(method: str, route: str, body: dict[str, Any]) -> tuple[int, Any]:
    """(404, None) when the route is not one of these."""
    if route == "service-account-keys" and method == "POST":
        try:
            KEYS.set(body)
        except ValueError as e:
            return 400, {"error": f"service-account-keys: {e}"}
        return 200, {"keys": len(KEYS.jwks["keys"])}
    if route == "service-account-keys" and method == "GET":
        return 200, KEYS.jwks
    if route == "propagation-delay" and method == "POST":
        try:
            PROPAGATION.set_delay(float(body.get("seconds", 0)))
        except (TypeError, ValueError):
            return 400, {"error": 'propagation-delay: {"seconds": n} (0: changes take effect at once)'}
    if route == "propagation-delay" and method in ("POST", "GET"):
        return 200, {"seconds": PROPAGATION.delay, "pending": PROPAGATION.pending()}
    if route == "deny-operations" and method == "POST":
        operations = body.get("operations", [])
        if not isinstance(operations, list):
            return 400, {"error": 'deny-operations: {"operations": ["OperationName" | "service:OperationName"]}'}
        DENIED.set(operations)
    if route == "deny-operations" and method in ("POST", "GET"):
        return 200, {"operations": sorted(DENIED.names)}
    if route == "pod-bound-tokens" and method == "POST":
        POD_BOUND["required"] = bool(body.get("required"))
    if route == "pod-bound-tokens" and method in ("POST", "GET"):
        return 200, dict(POD_BOUND)
    if route == "effective-association" and method == "POST":
        cluster = find_cluster(body.get("accountId") or moto_ext.DEFAULT_ACCOUNT, body.get("region") or "us-east-1",
                               body.get("clusterName", ""))
        if cluster is None:
            return 404, {"error": f"no cluster {body.get('clusterName')!r}"}
        return 200, {"association": effective_association(cluster, body.get("namespace", ""),
                                                          body.get("serviceAccount", ""))}
    return 404, None


def reset() -> None:
    DENIED.set([])
    POD_BOUND["required"] = False
