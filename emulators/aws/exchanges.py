"""The two exchanges a pod makes for credentials, checked as AWS checks them:

- EKS Auth AssumeRoleForPodIdentity (what the Pod Identity agent calls): served here, not by moto (moto has no
  eks-auth backend); serve.py routes `POST /clusters/{name}/assume-role-for-pod-identity` signed for `eks-auth`.
- STS AssumeRoleWithWebIdentity (IRSA): moto's handler, replaced on TokenResponse.

Both verify the service-account token (sa_tokens.py), find the association / the IAM OIDC provider, evaluate
the role's trust (trust_policy.py) in its effective state (effective.py), then hand out moto STS credentials,
so that sts:GetCallerIdentity with them answers the assumed-role ARN.
"""

import json
import random
import re
import warnings
from typing import Any
from urllib.parse import unquote

from moto.core.responses import ActionResult
from moto.iam import models as iam_models
from moto.sts.exceptions import STSClientError
from moto.sts.models import sts_backends
from moto.sts.responses import TokenResponse
from moto.moto_api._internal import mock_random

from effective import effective_association, effective_trust, find_cluster
from sa_tokens import TokenError, audiences, verify
from trust_policy import decide

POD_AUDIENCE = "pods.eks.amazonaws.com"
POD_PRINCIPAL = {"Service": "pods.eks.amazonaws.com"}
EKS_AUTH_PATH = re.compile(r"^/clusters/([^/]+)/assume-role-for-pod-identity/?$")
SUBJECT = re.compile(r"^system:serviceaccount:([^:]+):([^:]+)$")
POD_CREDENTIALS_SECONDS = 6 * 3600
DENIED_ROLE_MSG = "Unauthorized Exception! EKS does not have permissions to assume the associated role."
DENIED_TARGET_MSG = "Unauthorized Exception! EKS does not have permissions to assume the target role."
# STS answers AccessDenied although its model has no such error shape; moto warns about it on every refusal.
warnings.filterwarnings("ignore", message=r"Exception\(StsDenied\) with code AccessDenied")


# EKS Auth takes only tokens bound to a pod (the projected token the Pod Identity agent passes on; Flux found an
# unbound TokenRequest token refused). Off by default here, so a caller without a running pod can still exchange;
# control `pod-bound-tokens` turns it on.
POD_BOUND = {"required": False}


class EksAuthError(Exception):
    STATUS = {"AccessDeniedException": 400, "InvalidTokenException": 400, "ExpiredTokenException": 400,
              "InvalidParameterException": 400, "InvalidRequestException": 400, "ResourceNotFoundException": 404}

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def request_id() -> str:
    return "%08x-%04x-%04x-%04x-%012x" % tuple(random.getrandbits(b) for b in (32, 16, 16, 16, 48))


def json_response(status: int, payload: Any, error_code: str | None = None) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = [("Content-Type", "application/json"), ("x-amzn-RequestId", request_id())]
    if error_code:
        headers.append(("x-amzn-ErrorType", error_code))
    return status, headers, json.dumps(payload).encode()


def caller_account(environ: dict[str, Any]) -> str:
    """The account of the signing credentials (moto's own resolution; its default account otherwise)."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    access_key = auth.split("Credential=", 1)[1].split("/")[0] if "Credential=" in auth else ""
    return iam_models.get_account_id_from(access_key)


def issue_credentials(role_arn: str, session_name: str, region: str, duration: int, external_id: Any = None) -> Any:
    """moto STS credentials for the role: GetCallerIdentity with them answers its assumed-role ARN."""
    account = role_arn.split(":")[4]
    return sts_backends[account]["aws"].assume_role(region_name=region, role_session_name=session_name,
                                                     role_arn=role_arn, policy=None, duration=duration,
                                                     external_id=external_id)


# ---------------------------------------------------------------- EKS Auth

def session_tags(cluster: Any, namespace: str, service_account: str, pod: dict[str, Any]) -> dict[str, str]:
    tags = {"eks-cluster-arn": cluster.arn, "eks-cluster-name": cluster.name,
            "kubernetes-namespace": namespace, "kubernetes-service-account": service_account}
    if pod.get("name"):
        tags["kubernetes-pod-name"] = pod["name"]
    if pod.get("uid"):
        tags["kubernetes-pod-uid"] = pod["uid"]
    return tags


def _checked_claims(token: Any, cluster: Any) -> dict[str, Any]:
    try:
        claims = verify(token)
    except TokenError as e:
        if e.kind == "expired":
            raise EksAuthError("ExpiredTokenException", f"Service account token has expired: {e.message}")
        raise EksAuthError("InvalidTokenException", f"Service account token cannot be verified: {e.message}")
    if POD_AUDIENCE not in audiences(claims):
        raise EksAuthError("InvalidTokenException", f"Service account token audience must include {POD_AUDIENCE}")
    if claims.get("iss") != cluster.identity["oidc"]["issuer"]:
        raise EksAuthError("InvalidTokenException",
                           f"Service account token was not issued by the cluster {cluster.name}")
    if not SUBJECT.match(str(claims.get("sub", ""))):
        raise EksAuthError("InvalidTokenException", "Service account token subject is not a service account")
    if POD_BOUND["required"] and not ((claims.get("kubernetes.io") or {}).get("pod") or {}).get("uid"):
        raise EksAuthError("InvalidTokenException", "Service account token is not bound to a pod")
    return claims


def assume_role_for_pod_identity(environ: dict[str, Any], body: bytes, region: str, path: str) -> dict[str, Any]:
    cluster_name = unquote(EKS_AUTH_PATH.match(path).group(1))  # type: ignore[union-attr]
    try:
        token = json.loads(body or b"{}").get("token")
    except (ValueError, AttributeError):
        raise EksAuthError("InvalidRequestException", "The request body is not valid JSON.")
    if not isinstance(token, str) or not token:
        raise EksAuthError("InvalidParameterException", "token is required")
    account = caller_account(environ)
    cluster = find_cluster(account, region, cluster_name)
    if cluster is None:
        raise EksAuthError("ResourceNotFoundException", f"No cluster found for name: {cluster_name}.")
    claims = _checked_claims(token, cluster)
    namespace, service_account = SUBJECT.match(claims["sub"]).groups()  # type: ignore[union-attr]
    association = effective_association(cluster, namespace, service_account)
    if association is None:
        raise EksAuthError("ResourceNotFoundException", (
            f"No Pod Identity Association found for service account {service_account} in namespace {namespace} "
            f"of cluster {cluster.name}"))
    pod = (claims.get("kubernetes.io") or {}).get("pod") or {}
    tags = {} if association["disableSessionTags"] else session_tags(cluster, namespace, service_account, pod)
    actions = ["sts:AssumeRole"] + (["sts:TagSession"] if tags else [])
    context: dict[str, Any] = {"aws:SourceAccount": account, "aws:SourceArn": cluster.arn,
                               "aws:TagKeys": list(tags), **{f"aws:RequestTag/{k}": v for k, v in tags.items()}}
    role_arn = association["roleArn"]
    trust = effective_trust(role_arn)
    if trust is None or not decide(trust, POD_PRINCIPAL, actions, context).allowed:
        raise EksAuthError("AccessDeniedException", DENIED_ROLE_MSG)
    session = f"eks-{cluster.name}-{pod.get('name') or service_account}-{mock_random.uuid4()}"[:64].rstrip("-")
    final_role = role_arn
    if association["targetRoleArn"]:
        final_role = association["targetRoleArn"]
        role_name = role_arn.split("/")[-1]
        principal = {"AWS": f"arn:aws:sts::{role_arn.split(':')[4]}:assumed-role/{role_name}/{session}"}
        target_context = {**context, "sts:ExternalId": association["externalId"] or "", "aws:PrincipalArn": role_arn,
                          "aws:PrincipalAccount": role_arn.split(":")[4]}
        target_trust = effective_trust(final_role)
        if target_trust is None or not decide(target_trust, principal, actions, target_context).allowed:
            raise EksAuthError("AccessDeniedException", DENIED_TARGET_MSG)
    role = issue_credentials(final_role, session, region, POD_CREDENTIALS_SECONDS, association["externalId"])
    return {
        "subject": {"namespace": namespace, "serviceAccount": service_account},
        "audience": POD_AUDIENCE,
        "podIdentityAssociation": {"associationArn": association["associationArn"],
                                   "associationId": association["associationId"]},
        "assumedRoleUser": {"arn": role.arn, "assumeRoleId": role.user_id},
        "credentials": {"sessionToken": role.session_token, "secretAccessKey": role.secret_access_key,
                        "accessKeyId": role.access_key_id, "expiration": role.expiration.timestamp()},
    }


def handle_eks_auth(environ: dict[str, Any], body: bytes, region: str, path: str) -> tuple[int, list[Any], bytes]:
    if environ.get("REQUEST_METHOD") != "POST" or not EKS_AUTH_PATH.match(path):
        return json_response(404, {"message": f"No route {environ.get('REQUEST_METHOD')} {path}"},
                             "ResourceNotFoundException")
    try:
        return json_response(200, assume_role_for_pod_identity(environ, body, region, path))
    except EksAuthError as e:
        return json_response(EksAuthError.STATUS[e.code], {"message": e.message}, e.code)


def is_eks_auth(service: str, path: str) -> bool:
    return service == "eks-auth" or (service == "unknown" and EKS_AUTH_PATH.match(path) is not None)


# ---------------------------------------------------------------- STS AssumeRoleWithWebIdentity

class StsDenied(STSClientError):
    def __init__(self, code: str, message: str, status: int):
        super().__init__(code, message)
        self.status = status


def _web_identity_checks(role_arn: str, token: str) -> tuple[dict[str, Any], Any]:
    """-> (claims, OIDC provider), or StsDenied as STS answers."""
    try:
        claims = verify(token)
    except TokenError as e:
        if e.kind == "expired":
            raise StsDenied("ExpiredTokenException", f"Token expired: {e.message}", 400)
        raise StsDenied("InvalidIdentityToken", f"The web identity token could not be validated: {e.message}", 400)
    issuer = str(claims.get("iss", ""))
    parts = role_arn.split(":") if isinstance(role_arn, str) else []
    if len(parts) < 6:
        raise StsDenied("ValidationError", f"{role_arn} is invalid", 400)
    backend = iam_models.iam_backends[parts[4]][parts[1]]
    host_path = issuer.split("://", 1)[-1].rstrip("/")
    provider = next((p for p in list(backend.open_id_providers.values()) if p.url.rstrip("/") == host_path), None)
    if provider is None:
        raise StsDenied("InvalidIdentityToken", f"No OpenIDConnect provider found in your account for {issuer}", 400)
    if not set(audiences(claims)) & set(provider.client_id_list):
        raise StsDenied("InvalidIdentityToken", "Incorrect token audience", 400)
    return claims, provider


def assume_role_with_web_identity(self: TokenResponse) -> Any:
    role_arn, token = self._get_param("RoleArn"), self._get_param("WebIdentityToken")
    session, duration = self._get_param("RoleSessionName"), self._get_int_param("DurationSeconds", 3600)
    try:
        claims, provider = _web_identity_checks(role_arn, token)
        host_path = provider.url.rstrip("/")
        context = {f"{host_path}:sub": claims.get("sub"), f"{host_path}:aud": audiences(claims),
                   "aws:FederatedProvider": provider.arn}
        trust = effective_trust(role_arn)
        action = ["sts:AssumeRoleWithWebIdentity"]
        if trust is None or not decide(trust, {"Federated": provider.arn}, action, context).allowed:
            raise StsDenied("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403)
    except StsDenied as e:
        status, headers, body = self.serialized(ActionResult(e))
        headers["status"] = str(e.status)
        return e.status, headers, body
    role = issue_credentials(role_arn, session, self.region, duration)
    return ActionResult({
        "Credentials": role,
        "SubjectFromWebIdentityToken": claims.get("sub"),
        "AssumedRoleUser": {"AssumedRoleId": role.user_id, "Arn": role.arn},
        "PackedPolicySize": 0,
        "Provider": provider.arn,
        "Audience": audiences(claims)[0],
    })


def apply() -> None:
    TokenResponse.assume_role_with_web_identity = assume_role_with_web_identity

