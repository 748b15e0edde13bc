"""What moto 5.2.1 lacks for this project, patched in before the server starts.

moto resolves an operation from the botocore model (HTTP method + requestUri), so serving a new
EKS operation only needs a route in `moto.eks.urls.url_paths` (for Flask), a snake_case handler on
`EKSResponse` and state on the model; responses then go through moto's own serializer and errors
through moto's own EKS error format. Everything here is keyed off `apply()`; `reset()` restores the
knobs the control routes change (moto's reset already drops the models, which live on clusters).
"""

import base64
import json
import re
import time
from datetime import datetime
from typing import Any

from moto.account import urls as account_urls
from moto.account.responses import AccountResponse
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.eks import models as eks_models
from moto.eks import urls as eks_urls
from moto.eks.exceptions import (
    InvalidParameterException,
    InvalidRequestException,
    ResourceInUseException,
    ResourceNotFoundException,
)
from moto.eks.responses import EKSResponse
from moto.iam import models as iam_models
from moto.iam.exceptions import DeleteConflictException, EntityAlreadyExists, LimitExceededException, NotFoundException
from moto.iam.responses import IamResponse
from moto.moto_api._internal import mock_random as random
from moto.utilities.utils import get_partition

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_ADDON_VERSION = "v1.3.4-eksbuild.1"
ROLE_ARN = re.compile(r"^arn:aws(-cn|-us-gov|-iso|-iso-b|-iso-e|-iso-f|-eusc)?:iam::(\d{12}):role/.+$")
# Wording EKS uses when IAM has not yet propagated a just-created role (terraform-provider-aws
# retries CreatePodIdentityAssociation on exactly this text, PR #34717).
ROLE_MISSING_MSG = "Role provided in the request does not exist"
TRUST_INVALID_MSG = "Trust policy of the role provided is invalid"
# EKS hands a session policy to STS AssumeRole, whose inline session policy is at most 2,048 characters.
SESSION_POLICY_MAX = 2048
POLICY_NEEDS_NO_TAGS_MSG = "When policy is specified, disableSessionTags must be set to true"
# What DescribeAddonConfiguration's podIdentityConfiguration says for the add-ons that run under their own
# service account (namespace: where the add-on installs it when namespaceConfig does not say otherwise).
ADDON_POD_IDENTITY = {
    "aws-ebs-csi-driver": ("kube-system", [("ebs-csi-controller-sa", ["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"])]),
    # v3.0.0+ also binds the node DaemonSet's service account (mounts with IAM authentication).
    "aws-efs-csi-driver": ("kube-system", [
        ("efs-csi-controller-sa", ["arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy"]),
        ("efs-csi-node-sa", ["arn:aws:iam::aws:policy/AmazonElasticFileSystemClientReadWriteAccess"])]),
    "vpc-cni": ("kube-system", [("aws-node", ["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"])]),
    "amazon-cloudwatch-observability": ("amazon-cloudwatch", [("cloudwatch-agent", [
        "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy", "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"])]),
}
# Add-ons EKS knows that take no pod identity (DescribeAddonConfiguration answers an empty list).
ADDONS_WITHOUT_POD_IDENTITY = {"eks-pod-identity-agent", "coredns", "kube-proxy", "metrics-server", "snapshot-controller"}
# The commercial regions an account has from the start (ENABLED_BY_DEFAULT), and the opt-in ones (DISABLED until
# enabled). A call signed for a region the account has not enabled is refused as AWS refuses it (NOT_ENABLED).
REGIONS_BY_DEFAULT = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "ap-south-1", "ap-northeast-1",
                      "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ca-central-1",
                      "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "sa-east-1"]
REGIONS_OPT_IN = ["af-south-1", "ap-east-1", "ap-south-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
                  "ap-southeast-7", "ca-west-1", "eu-central-2", "eu-south-1", "eu-south-2", "il-central-1",
                  "me-central-1", "me-south-1", "mx-central-1"]
# Global services: signed for us-east-1 whatever the run's region, never refused by region.
GLOBAL_SERVICES = {"iam", "account"}
NOT_ENABLED_MSG = "The security token included in the request is invalid."
DEFAULT_ISSUES = [{
    "code": "InsufficientNumberOfReplicas",
    "message": "The add-on is unhealthy because it doesn't have the desired number of replicas.",
    "resourceIds": [],
}]


def _defaults() -> dict[str, Any]:
    return {
        "endpoints": {},  # cluster name or "*" -> {"endpoint", "caData"}
        # secondsUntilActive (when > 0) replaces readsUntilActive: CREATING/UPDATING for that long after the write.
        "addon": {"readsUntilActive": 2, "secondsUntilActive": 0, "outcome": "ACTIVE", "issues": None},
        "addon_by_name": {},  # addon name -> partial behaviour overriding "addon"
        "fail_association_writes": 0,
        "validate_roles": True,
        "assume_role_policy_quota": 2048,
        # None: REGIONS_BY_DEFAULT; else the regions enabled (by default or opted in), every other one DISABLED.
        "enabled_regions": None,
        "refused_regions": [],  # EKS calls there answer AccessDeniedException (an unreadable region)
    }


STATE = _defaults()


def reset() -> None:
    STATE.clear()
    STATE.update(_defaults())


# ---------------------------------------------------------------- helpers

def _cluster(backend: Any, name: str) -> Any:
    cluster = backend.clusters.get(name)
    if cluster is None:
        raise ResourceNotFoundException(message=eks_models.CLUSTER_NOT_FOUND_MSG.format(clusterName=name), clusterName=name)
    return cluster


def _validate_role_arn(arn: Any) -> re.Match[str]:
    match = ROLE_ARN.match(arn) if isinstance(arn, str) else None
    if not match:
        raise InvalidParameterException(message=f"Invalid Role Arn: '{arn}'")
    return match


def _check_role(account: str, region: str, arn: str) -> None:
    """EKS refuses a role it cannot see, or whose trust does not let pods.eks.amazonaws.com in."""
    match = _validate_role_arn(arn)
    if not STATE["validate_roles"] or match.group(2) != account:
        return  # a role in another account is not visible to this emulated account
    iam = iam_models.iam_backends[account][get_partition(region)]
    role = next((r for r in iam.roles.values() if r.arn == arn), None)
    if role is None:
        raise InvalidParameterException(message=ROLE_MISSING_MSG)
    try:
        doc = json.loads(role.assume_role_policy_document)
        statements = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
    except (ValueError, KeyError, TypeError):
        raise InvalidParameterException(message=TRUST_INVALID_MSG)
    for st in statements:
        services = (st.get("Principal") or {}).get("Service", []) if isinstance(st.get("Principal"), dict) else []
        actions = st.get("Action", [])
        services = [services] if isinstance(services, str) else services
        actions = [actions] if isinstance(actions, str) else actions
        if st.get("Effect") == "Allow" and "pods.eks.amazonaws.com" in services and (
            {"sts:AssumeRole", "sts:*", "*"} & set(actions)
        ):
            return
    raise InvalidParameterException(message=TRUST_INVALID_MSG)


def _check_association_id(association_id: str) -> None:
    if len(association_id or "") != 19:
        raise InvalidParameterException(message="The parameter associationId should be 19 characters long.")


def _page(items: list[Any], key: Any, max_results: int | None, token: str | None) -> tuple[list[Any], str | None]:
    """Opaque tokens: base64 of the key of the first item of the next page."""
    start = 0
    if token:
        try:
            wanted = base64.urlsafe_b64decode(token.encode()).decode()
            start = next(i for i, it in enumerate(items) if key(it) == wanted)
        except (ValueError, StopIteration):
            raise InvalidParameterException(message="The nextToken provided is invalid.")
    end = start + (max_results or 100)
    nxt = base64.urlsafe_b64encode(key(items[end]).encode()).decode() if end < len(items) else None
    return items[start:end], nxt


# ---------------------------------------------------------------- models

def _behaviour(addon_name: str) -> dict[str, Any]:
    return {**STATE["addon"], **STATE["addon_by_name"].get(addon_name, {})}


def _addon_namespace(addon_name: str) -> str:
    known = ADDON_POD_IDENTITY.get(addon_name)
    return known[0] if known else "kube-system"


def _check_session_policy(policy: Any, disable_session_tags: bool) -> None:
    """The association's `policy` as EKS checks it: only without session tags, JSON, at most 2,048 characters."""
    if not policy:
        return
    if not disable_session_tags:
        raise InvalidParameterException(message=POLICY_NEEDS_NO_TAGS_MSG)
    if len(policy) > SESSION_POLICY_MAX:
        raise InvalidParameterException(message=f"Policy must be at most {SESSION_POLICY_MAX} characters long.")
    try:
        doc = json.loads(policy)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        raise InvalidParameterException(message="Policy is not a valid JSON policy document.")


class Addon:
    def __init__(self, cluster: Any, name: str, params: dict[str, Any]):
        behaviour = _behaviour(name)
        self.addon_name, self.cluster_name = name, cluster.name
        self.addon_version = params.get("addonVersion") or DEFAULT_ADDON_VERSION
        self.addon_arn = cluster.arn.replace(":cluster/", ":addon/", 1) + f"/{name}/{random.uuid4()}"
        self.created_at = self.modified_at = utcnow()
        self.service_account_role_arn = params.get("serviceAccountRoleArn")
        self.configuration_values = params.get("configurationValues")
        self.namespace = (params.get("namespaceConfig") or {}).get("namespace") or _addon_namespace(name)
        self.tags = params.get("tags") or {}
        self.pod_identity_associations: list[str] = []
        self.outcome = behaviour["outcome"]
        self.issues = behaviour["issues"] if behaviour["issues"] is not None else (
            [] if self.outcome == "ACTIVE" else DEFAULT_ISSUES)
        self.start_transition("CREATING")

    def start_transition(self, status: str) -> None:
        """After CreateAddon/UpdateAddon: `status` for readsUntilActive reads or secondsUntilActive seconds."""
        behaviour = _behaviour(self.addon_name)
        self.reads_left = int(behaviour["readsUntilActive"])
        seconds = float(behaviour.get("secondsUntilActive") or 0)
        self.active_at = time.monotonic() + seconds if seconds > 0 else None
        self.status = status if self.active_at is not None or self.reads_left > 0 else self.outcome

    def on_describe(self) -> None:
        """The first `readsUntilActive` DescribeAddon reads (or the reads in the first `secondsUntilActive`
        seconds) see the transitional status."""
        if self.status in ("CREATING", "UPDATING"):
            if self.active_at is not None:
                if time.monotonic() >= self.active_at:
                    self.status, self.modified_at = self.outcome, utcnow()
            elif self.reads_left > 0:
                self.reads_left -= 1
            else:
                self.status = self.outcome
                self.modified_at = utcnow()

    def view(self) -> dict[str, Any]:
        return {
            "addonName": self.addon_name, "clusterName": self.cluster_name, "status": self.status,
            "addonVersion": self.addon_version,
            "health": {"issues": self.issues if self.status in ("CREATE_FAILED", "DEGRADED") else []},
            "addonArn": self.addon_arn, "createdAt": self.created_at, "modifiedAt": self.modified_at,
            "serviceAccountRoleArn": self.service_account_role_arn, "tags": self.tags,
            "configurationValues": self.configuration_values,
            "podIdentityAssociations": self.pod_identity_associations or None,
        }


class Association:
    SUMMARY = ("clusterName", "namespace", "serviceAccount", "associationArn", "associationId", "ownerArn")

    def __init__(self, cluster: Any, p: dict[str, Any]):
        self.id = "a-" + random.get_random_string(17, lower_case=True)
        self.arn = cluster.arn.replace(":cluster/", ":podidentityassociation/", 1) + f"/{self.id}"
        self.cluster_name, self.namespace, self.service_account = cluster.name, p["namespace"], p["serviceAccount"]
        self.tags = p.get("tags") or {}
        self.owner_arn = p.get("ownerArn")
        self.created_at = utcnow()
        self.client_request_token = p.get("clientRequestToken")
        self.role_arn, self.target_role_arn, self.external_id = p["roleArn"], None, None
        self.disable_session_tags, self.policy = False, None
        self.update(p)
        self.modified_at = self.created_at

    def check_update(self, p: dict[str, Any]) -> None:
        """Refuses an update whose result EKS would refuse (checked before anything changes)."""
        tags_off = self.disable_session_tags if p.get("disableSessionTags") is None else bool(p["disableSessionTags"])
        policy = self.policy if p.get("policy") is None else p["policy"]
        _check_session_policy(policy, tags_off)

    def update(self, p: dict[str, Any]) -> None:
        if p.get("roleArn") is not None:
            self.role_arn = p["roleArn"]
        if p.get("policy") is not None:
            self.policy = p["policy"] or None  # an empty string removes the session policy
        if p.get("disableSessionTags") is not None:
            self.disable_session_tags = bool(p["disableSessionTags"])
        if "targetRoleArn" in p and p["targetRoleArn"] is not None:
            # An empty string removes the target role; a new target gets a new external ID; the same
            # target keeps its external ID (the target role's trust policy names it).
            if (p["targetRoleArn"] or None) != self.target_role_arn:
                self.target_role_arn = p["targetRoleArn"] or None
                self.external_id = str(random.uuid4()) if self.target_role_arn else None
        self.modified_at = utcnow()

    def view(self) -> dict[str, Any]:
        return {
            "clusterName": self.cluster_name, "namespace": self.namespace, "serviceAccount": self.service_account,
            "roleArn": self.role_arn, "associationArn": self.arn, "associationId": self.id, "tags": self.tags,
            "createdAt": self.created_at, "modifiedAt": self.modified_at, "ownerArn": self.owner_arn,
            "disableSessionTags": self.disable_session_tags, "targetRoleArn": self.target_role_arn,
            "externalId": self.external_id, "policy": self.policy,
        }

    def summary(self) -> dict[str, Any]:
        view = self.view()
        return {k: view[k] for k in self.SUMMARY}


# ---------------------------------------------------------------- backend operations

def create_association(backend: Any, cluster_name: str, p: dict[str, Any], validate: bool = True) -> Association:
    cluster = _cluster(backend, cluster_name)
    for field in ("namespace", "serviceAccount"):
        if not p.get(field):
            raise InvalidParameterException(message=f"{field} is required")
    token = p.get("clientRequestToken")
    for existing in cluster.pod_identity_associations.values():
        if token and existing.client_request_token == token:
            return existing  # idempotent retry of the same request
    if validate:
        _check_session_policy(p.get("policy"), bool(p.get("disableSessionTags")))
        _before_association_write(backend, p.get("roleArn"), p.get("targetRoleArn"))
    for existing in cluster.pod_identity_associations.values():
        if (existing.namespace, existing.service_account) == (p["namespace"], p["serviceAccount"]):
            raise ResourceInUseException(clusterName=cluster_name, message=f"Association already exists: {existing.id}")
    association = Association(cluster, p)
    cluster.pod_identity_associations[association.id] = association
    return association


def _before_association_write(backend: Any, role_arn: Any, target_role_arn: Any) -> None:
    _validate_role_arn(role_arn)
    if target_role_arn:
        _validate_role_arn(target_role_arn)
    if STATE["fail_association_writes"] > 0:
        STATE["fail_association_writes"] -= 1
        raise InvalidParameterException(message=ROLE_MISSING_MSG)
    _check_role(backend.account_id, backend.region_name, role_arn)


def _association(backend: Any, cluster_name: str, association_id: str) -> tuple[Any, Association]:
    _check_association_id(association_id)
    cluster = _cluster(backend, cluster_name)
    association = cluster.pod_identity_associations.get(association_id)
    if association is None:
        raise ResourceNotFoundException(message=f"No Pod Identity Association found with id: {association_id}", clusterName=cluster_name)
    return cluster, association


def _addon(backend: Any, cluster_name: str, name: str) -> tuple[Any, Addon]:
    cluster = _cluster(backend, cluster_name)
    addon = cluster.addons.get(name)
    if addon is None:
        raise ResourceNotFoundException(message=f"No addon: {name} found in cluster: {cluster_name}", clusterName=cluster_name, addonName=name)
    return cluster, addon


# ---------------------------------------------------------------- EKS handlers (bound onto EKSResponse)

def _body(self: EKSResponse) -> dict[str, Any]:
    try:
        return json.loads(self.body) if self.body else {}
    except ValueError:
        return {}


def _check_addon_associations(addon_name: str, items: Any) -> list[dict[str, str]]:
    """CreateAddon/UpdateAddon `podIdentityAssociations`: each service account must be one the add-on
    uses (as DescribeAddonConfiguration lists them, for the add-ons this emulator knows), roles valid."""
    items = list(items or [])
    known = ADDON_POD_IDENTITY.get(addon_name)
    allowed = {sa for sa, _ in known[1]} if known else (set() if addon_name in ADDONS_WITHOUT_POD_IDENTITY else None)
    for item in items:
        if allowed is not None and item.get("serviceAccount") not in allowed:
            raise InvalidParameterException(message=(
                f"Service account {item.get('serviceAccount')} in pod identity configuration is not supported for addon {addon_name}"))
        _validate_role_arn(item.get("roleArn"))
    return items


def _set_addon_associations(backend: Any, cluster: Any, addon: Addon, items: list[dict[str, str]]) -> None:
    """The add-on's associations become exactly `items`: new service accounts get an association owned by
    the add-on, listed ones keep theirs (role updated in place), unlisted ones are deleted."""
    owned = {a.service_account: a for a in cluster.pod_identity_associations.values() if a.owner_arn == addon.addon_arn}
    wanted = {item["serviceAccount"]: item["roleArn"] for item in items}
    for sa, role_arn in wanted.items():  # every check before the first change
        if sa in owned:
            continue
        _check_role(backend.account_id, backend.region_name, role_arn)
        for other in cluster.pod_identity_associations.values():
            if (other.namespace, other.service_account) == (addon.namespace, sa):
                raise ResourceInUseException(clusterName=cluster.name, addonName=addon.addon_name,
                                             message=f"Association already exists: {other.id}")
    for sa, association in owned.items():
        if sa not in wanted:
            del cluster.pod_identity_associations[association.id]
        elif association.role_arn != wanted[sa]:
            association.update({"roleArn": wanted[sa]})
    for sa, role_arn in wanted.items():
        if sa not in owned:
            create_association(backend, cluster.name, {"namespace": addon.namespace, "serviceAccount": sa, "roleArn": role_arn,
                                                       "ownerArn": addon.addon_arn}, validate=False)
    addon.pod_identity_associations = [a.arn for a in cluster.pod_identity_associations.values() if a.owner_arn == addon.addon_arn]


def create_addon(self: EKSResponse) -> ActionResult:
    backend, cluster_name, p = self.eks_backend, self._get_param("name"), _body(self)
    cluster = _cluster(backend, cluster_name)
    name = p.get("addonName")
    if name in cluster.addons:
        raise ResourceInUseException(clusterName=cluster_name, addonName=name, message="Addon already exists.")
    if p.get("serviceAccountRoleArn"):
        _validate_role_arn(p["serviceAccountRoleArn"])
    items = _check_addon_associations(name, p.get("podIdentityAssociations"))
    addon = Addon(cluster, name, p)
    # Add-on pod identity associations are created by EKS and owned by the add-on (ownerArn), in its namespace.
    _set_addon_associations(backend, cluster, addon, items)
    cluster.addons[name] = addon
    return ActionResult({"addon": addon.view()})


def describe_addon(self: EKSResponse) -> ActionResult:
    _, addon = _addon(self.eks_backend, self._get_param("name"), self._get_param("addonName"))
    addon.on_describe()
    return ActionResult({"addon": addon.view()})


def list_addons(self: EKSResponse) -> ActionResult:
    cluster = _cluster(self.eks_backend, self._get_param("name"))
    names, token = _page(list(cluster.addons), lambda n: n, self._get_int_param("maxResults"), self._get_param("nextToken"))
    return ActionResult({"addons": names, "nextToken": token})


def delete_addon(self: EKSResponse) -> ActionResult:
    cluster, addon = _addon(self.eks_backend, self._get_param("name"), self._get_param("addonName"))
    del cluster.addons[addon.addon_name]
    for arn in addon.pod_identity_associations:
        cluster.pod_identity_associations.pop(arn.rsplit("/", 1)[1], None)
    addon.status, addon.modified_at = "DELETING", utcnow()
    return ActionResult({"addon": addon.view()})


def update_addon(self: EKSResponse) -> ActionResult:
    cluster, addon = _addon(self.eks_backend, self._get_param("name"), self._get_param("addonName"))
    p, params = _body(self), []
    # Absent: the associations stay; a list (even empty) replaces the add-on's associations.
    items = None if p.get("podIdentityAssociations") is None else _check_addon_associations(addon.addon_name, p["podIdentityAssociations"])
    if p.get("serviceAccountRoleArn"):
        _validate_role_arn(p["serviceAccountRoleArn"])
    if items is not None:
        _set_addon_associations(self.eks_backend, cluster, addon, items)
        params.append({"type": "PodIdentityAssociations", "value": json.dumps(addon.pod_identity_associations)})
    for key, attr, kind in (("addonVersion", "addon_version", "AddonVersion"),
                            ("serviceAccountRoleArn", "service_account_role_arn", "ServiceAccountRoleArn"),
                            ("configurationValues", "configuration_values", "ConfigurationValues")):
        if p.get(key) is not None:
            setattr(addon, attr, p[key])
            params.append({"type": kind, "value": p[key]})
    addon.start_transition("UPDATING")
    addon.modified_at = utcnow()
    update = {"id": str(random.uuid4()), "status": "InProgress", "type": "AddonUpdate",
              "params": params, "createdAt": utcnow(), "errors": []}
    return ActionResult({"update": update})


def describe_addon_configuration(self: EKSResponse) -> ActionResult:
    name, version = self._get_param("addonName"), self._get_param("addonVersion")
    if name not in ADDON_POD_IDENTITY and name not in ADDONS_WITHOUT_POD_IDENTITY:
        raise ResourceNotFoundException(message=f"Addon {name} not found", addonName=name)
    schema = json.dumps({"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": {},
                         "additionalProperties": True})
    pod_identity = [{"serviceAccount": sa, "recommendedManagedPolicies": policies}
                    for sa, policies in (ADDON_POD_IDENTITY.get(name) or ("", []))[1]]
    return ActionResult({"addonName": name, "addonVersion": version, "configurationSchema": schema,
                         "podIdentityConfiguration": pod_identity})


# DescribeAddonVersions: every add-on this emulator knows has two versions, the newer one the default for
# every Kubernetes version listed.
ADDON_VERSIONS = [DEFAULT_ADDON_VERSION, "v1.2.0-eksbuild.1"]
CLUSTER_VERSIONS = ["1.29", "1.30", "1.31", "1.32", "1.33"]


def describe_addon_versions(self: EKSResponse) -> ActionResult:
    """Unknown add-on names (and Kubernetes versions no version is for) give an empty list, not an error."""
    name, k8s = self._get_param("addonName"), self._get_param("kubernetesVersion")
    names = sorted(set(ADDON_POD_IDENTITY) | ADDONS_WITHOUT_POD_IDENTITY)
    addons = []
    for n in names if not name else [name] if name in names else []:
        versions = [{
            "addonVersion": v, "architecture": ["amd64", "arm64"], "computeTypes": ["ec2"],
            "compatibilities": [{"clusterVersion": cv, "platformVersions": ["*"], "defaultVersion": v == DEFAULT_ADDON_VERSION}
                                for cv in CLUSTER_VERSIONS if not k8s or cv == k8s],
            "requiresConfiguration": False, "requiresIamPermissions": n in ADDON_POD_IDENTITY,
        } for v in ADDON_VERSIONS]
        versions = [v for v in versions if v["compatibilities"]]
        if versions:
            addons.append({"addonName": n, "type": "storage" if "csi" in n else "networking", "addonVersions": versions,
                           "publisher": "eks", "owner": "aws"})
    page, token = _page(addons, lambda a: a["addonName"], self._get_int_param("maxResults"), self._get_param("nextToken"))
    return ActionResult({"addons": page, "nextToken": token})


def _refuse_owned(association: "Association", verb: str) -> None:
    """An association an add-on owns is changed through the add-on (UpdateAddon/DeleteAddon), not directly."""
    if association.owner_arn:
        raise InvalidRequestException(message=(
            f"Cannot {verb} Pod Identity Association {association.id}: it is owned by {association.owner_arn}; "
            "change it through the addon."))


def create_pod_identity_association(self: EKSResponse) -> ActionResult:
    p = {k: v for k, v in _body(self).items() if k != "ownerArn"}  # ownerArn is not an input
    association = create_association(self.eks_backend, self._get_param("name"), p)
    return ActionResult({"association": association.view()})


def list_pod_identity_associations(self: EKSResponse) -> ActionResult:
    cluster = _cluster(self.eks_backend, self._get_param("name"))
    namespace, sa = self._get_param("namespace"), self._get_param("serviceAccount")
    items = [a for a in cluster.pod_identity_associations.values()
             if (not namespace or a.namespace == namespace) and (not sa or a.service_account == sa)]
    page, token = _page(items, lambda a: a.id, self._get_int_param("maxResults"), self._get_param("nextToken"))
    return ActionResult({"associations": [a.summary() for a in page], "nextToken": token})


def describe_pod_identity_association(self: EKSResponse) -> ActionResult:
    _, association = _association(self.eks_backend, self._get_param("name"), self._get_param("associationId"))
    return ActionResult({"association": association.view()})


def update_pod_identity_association(self: EKSResponse) -> ActionResult:
    _, association = _association(self.eks_backend, self._get_param("name"), self._get_param("associationId"))
    _refuse_owned(association, "update")
    p = _body(self)
    association.check_update(p)
    _before_association_write(self.eks_backend, p.get("roleArn") or association.role_arn, p.get("targetRoleArn"))
    association.update(p)
    return ActionResult({"association": association.view()})


def delete_pod_identity_association(self: EKSResponse) -> ActionResult:
    cluster, association = _association(self.eks_backend, self._get_param("name"), self._get_param("associationId"))
    _refuse_owned(association, "delete")
    del cluster.pod_identity_associations[association.id]
    return ActionResult({"association": association.view()})


# ---------------------------------------------------------------- IAM gaps

def add_client_id_to_open_id_connect_provider(self: IamResponse) -> ActionResult:
    provider = self.backend.get_open_id_connect_provider(self._get_param("OpenIDConnectProviderArn"))
    client_id = self._get_param("ClientID")
    if client_id not in provider.client_id_list:  # idempotent, as in IAM
        if len(provider.client_id_list) >= 100:
            raise LimitExceededException("Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100")
        provider.client_id_list.append(client_id)
    return EmptyResult()


def remove_client_id_from_open_id_connect_provider(self: IamResponse) -> ActionResult:
    provider = self.backend.get_open_id_connect_provider(self._get_param("OpenIDConnectProviderArn"))
    client_id = self._get_param("ClientID")
    if client_id in provider.client_id_list:
        provider.client_id_list.remove(client_id)
    return EmptyResult()


def _check_trust_size(document: str) -> None:
    """IAM counts the trust policy without white space against AssumeRolePolicySizeQuota."""
    try:
        size = len(json.dumps(json.loads(document), separators=(",", ":"), ensure_ascii=False))
    except (ValueError, TypeError):
        return  # moto's own validation reports malformed documents
    quota = STATE["assume_role_policy_quota"]
    if size > quota:
        raise LimitExceededException(f"Cannot exceed quota for ACLSizePerRole: {quota}")


def _delete_policy_checked(original: Any) -> Any:
    """IAM refuses DeletePolicy while the policy is attached or still has non-default versions (moto deletes)."""
    def delete_policy(self: Any, policy_arn: str) -> None:
        policy = self.get_policy(policy_arn)
        if policy.attachment_count > 0:
            raise DeleteConflictException("Cannot delete a policy attached to entities.")
        if len(policy.versions) > 1:
            raise DeleteConflictException(
                "This policy has more than one version. Before you delete a policy, you must delete the policy's versions.")
        original(self, policy_arn)
    return delete_policy


def _lookups_worded(backend: Any) -> None:
    """IAM's NoSuchEntity wording for roles, managed policies and their versions (moto: '... not found')."""
    get_policy, get_version, delete_version = backend.get_policy, backend.get_policy_version, backend.delete_policy_version

    def policy(self: Any, policy_arn: str) -> Any:
        if policy_arn not in self.managed_policies:
            raise NotFoundException(f"Policy {policy_arn} was not found.")
        return get_policy(self, policy_arn)

    def version_exists(self: Any, policy_arn: str, version_id: str) -> None:
        if not any(v.version_id == version_id for v in policy(self, policy_arn).versions):
            raise NotFoundException(f"Policy {policy_arn} version {version_id} does not exist or is not attachable.")

    def policy_version(self: Any, policy_arn: str, version_id: str) -> Any:
        version_exists(self, policy_arn, version_id)
        return get_version(self, policy_arn, version_id)

    def delete_policy_version(self: Any, policy_arn: str, version_id: str) -> None:
        if version_id != policy(self, policy_arn).default_version_id:  # the default: moto's DeleteConflict
            version_exists(self, policy_arn, version_id)
        delete_version(self, policy_arn, version_id)

    backend.get_policy, backend.get_policy_version, backend.delete_policy_version = policy, policy_version, delete_policy_version

    get_role = backend.get_role

    def role(self: Any, role_name: str) -> Any:  # GetRole, DeleteRole, AttachRolePolicy, ... (moto: 'Role x not found')
        try:
            return get_role(self, role_name)
        except NotFoundException:
            raise NotFoundException(f"The role with name {role_name} cannot be found.")

    backend.get_role = role


# ---------------------------------------------------------------- clusters: EKS Auto Mode (computeConfig)

def _create_cluster_with_compute(original: Any) -> Any:
    """moto's CreateCluster drops computeConfig/storageConfig; keep them so DescribeCluster shows Auto Mode."""
    def create_cluster(self: EKSResponse) -> ActionResult:
        result = original(self)
        p = _body(self)
        cluster = self.eks_backend.clusters[p["name"]]
        compute = p.get("computeConfig")
        if compute is not None:
            cluster.compute_config = {"enabled": bool(compute.get("enabled")), "nodePools": compute.get("nodePools") or [],
                                      **({"nodeRoleArn": compute["nodeRoleArn"]} if compute.get("nodeRoleArn") else {})}
        if p.get("storageConfig") is not None:
            cluster.storage_config = p["storageConfig"]
        return result
    return create_cluster


def _cluster_checked(list_fn: Any) -> Any:
    """moto's ListFargateProfiles / ListNodegroups index the cluster dict: an unknown cluster was a 500 KeyError."""
    def listing(self: Any, cluster_name: str, *args: Any, **kwargs: Any) -> Any:
        _cluster(self, cluster_name)
        return list_fn(self, cluster_name, *args, **kwargs)
    return listing


def _tag_associations_too(tag_cluster: Any) -> Any:
    """moto's TagResource knows clusters only; EKS tags a Pod Identity association by its ARN too."""
    def tag_resource(self: Any, resource_arn: str, tags: dict[str, str]) -> None:
        for cluster in self.clusters.values():
            for association in cluster.pod_identity_associations.values():
                if association.arn == resource_arn:
                    association.tags = {**association.tags, **tags}
                    return
        tag_cluster(self, resource_arn, tags)
    return tag_resource


def _untag_associations_too(untag_cluster: Any) -> Any:
    """moto's UntagResource knows clusters only; EKS untags a Pod Identity association by its ARN too."""
    def untag_resource(self: Any, resource_arn: str, tag_keys: list[str]) -> None:
        keys = tag_keys if isinstance(tag_keys, list) else [tag_keys]
        for cluster in self.clusters.values():
            for association in cluster.pod_identity_associations.values():
                if association.arn == resource_arn:
                    association.tags = {k: v for k, v in association.tags.items() if k not in keys}
                    return
        untag_cluster(self, resource_arn, keys)
    return untag_resource


# ---------------------------------------------------------------- regions (Account ListRegions, refusals)

def _region_status(region: str) -> str:
    enabled = STATE["enabled_regions"]
    if enabled is None:
        return "ENABLED_BY_DEFAULT" if region in REGIONS_BY_DEFAULT else "DISABLED"
    if region not in enabled:
        return "DISABLED"
    return "ENABLED_BY_DEFAULT" if region in REGIONS_BY_DEFAULT else "ENABLED"


def list_regions(self: AccountResponse) -> ActionResult:
    """Account ListRegions (moto 5.2.1 has no such operation): every region of the partition with its opt status."""
    p = json.loads(self.body or "{}")
    wanted = p.get("RegionOptStatusContains") or None
    known = REGIONS_BY_DEFAULT + REGIONS_OPT_IN + [r for r in STATE["enabled_regions"] or []
                                                   if r not in REGIONS_BY_DEFAULT + REGIONS_OPT_IN]
    regions = [{"RegionName": r, "RegionOptStatus": _region_status(r)} for r in sorted(known)]
    regions = [r for r in regions if wanted is None or r["RegionOptStatus"] in wanted]
    page, token = _page(regions, lambda r: r["RegionName"], p.get("MaxResults") or 20, p.get("NextToken"))
    return ActionResult({"Regions": page, **({"NextToken": token} if token else {})})


def region_refusal(service: str, operation: str, region: str) -> tuple[int, str, str] | None:
    """How AWS answers a call signed for this region, when it refuses it: (status, error code, message)."""
    if service in GLOBAL_SERVICES:
        return None
    if _region_status(region) == "DISABLED":
        return 403, "UnrecognizedClientException", NOT_ENABLED_MSG
    if service == "eks" and region in STATE["refused_regions"]:
        return 403, "AccessDeniedException", (
            f"User: arn:aws:iam::{DEFAULT_ACCOUNT}:user/testing is not authorized to perform: eks:{operation} "
            f"on resource: arn:aws:eks:{region}:{DEFAULT_ACCOUNT}:cluster/* with an explicit deny")
    return None


# ---------------------------------------------------------------- cluster endpoint override

def _endpoint_override(cluster: Any) -> dict[str, str] | None:
    endpoints = STATE["endpoints"]
    return endpoints.get(cluster.name) or endpoints.get("*")


def _cluster_property(attr: str, pick: Any) -> property:
    def get(self: Any) -> Any:
        override = _endpoint_override(self)
        return pick(override) if override else self.__dict__[attr]

    def set_(self: Any, value: Any) -> None:
        self.__dict__[attr] = value

    return property(get, set_)


# ---------------------------------------------------------------- speed

def _speed_up_iam() -> None:
    """moto resolves the account of EVERY request by touching the IAM backend of every partition
    (6), each loading ~1,500 AWS-managed policies: ~1.4 s on the first request and after each reset.
    Backends not created yet hold no access keys, so looking at the existing ones is equivalent."""
    def get_account_id_from(access_key: str) -> str:
        for account_id, account in list(iam_models.iam_backends.items()):
            if any(access_key in b.access_keys for b in list(account.values())):
                return account_id
        return iam_models.DEFAULT_ACCOUNT_ID

    iam_models.get_account_id_from = get_account_id_from
    cache: list[dict[str, Any]] = []

    def init_aws_policies(self: Any) -> list[Any]:  # parse the 4 MB policy data once, not per backend
        if not iam_models.load_iam_aws_managed_policies():
            return []
        if not cache:
            cache.extend({"name": n, "default_version_id": d.get("DefaultVersionId"), "path": d.get("Path"),
                          "document": json.dumps(d.get("Document")),
                          "create_date": datetime.fromisoformat(d["CreateDate"]),
                          "update_date": datetime.fromisoformat(d["UpdateDate"])}
                         for n, d in json.loads(iam_models.aws_managed_policies_data).items())
        policy = iam_models.AWSManagedPolicy
        return [policy(account_id=self.account_id, region=self.region_name, **kw) for kw in cache]

    iam_models.IAMBackend._init_aws_policies = init_aws_policies


def apply() -> None:
    """Patch moto in place; call once, before the first request."""
    _speed_up_iam()
    cluster_init = eks_models.Cluster.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        cluster_init(self, *args, **kwargs)
        self.addons, self.pod_identity_associations = {}, {}
        # moto draws ONE issuer ID at import time, shared by every cluster; EKS gives each
        # cluster its own (32 upper-case hex digits), which IRSA keys the OIDC provider on.
        region = self.arn.split(":")[3]
        self.identity = {"oidc": {"issuer": f"https://oidc.eks.{region}.amazonaws.com/id/{random.get_random_hex(32).upper()}"}}

    eks_models.Cluster.__init__ = init
    eks_models.validate_role_arn = _validate_role_arn  # same check and message, minus a boto3 Session per call
    eks_models.Cluster.endpoint = _cluster_property("endpoint", lambda o: o["endpoint"])
    eks_models.Cluster.certificate_authority = _cluster_property("certificate_authority", lambda o: {"data": o["caData"]})

    base = "{0}/clusters/(?P<name>[^/]+)"
    for path in ("/addons$", "/addons/(?P<addonName>[^/]+)$", "/addons/(?P<addonName>[^/]+)/update$",
                 "/pod-identity-associations$", "/pod-identity-associations/(?P<associationId>[^/]+)$"):
        eks_urls.url_paths[base + path] = eks_urls.response.dispatch
    eks_urls.url_paths["{0}/addons/configuration-schemas$"] = eks_urls.response.dispatch
    eks_urls.url_paths["{0}/addons/supported-versions$"] = eks_urls.response.dispatch
    for fn in (create_addon, describe_addon, list_addons, delete_addon, update_addon, describe_addon_configuration,
               describe_addon_versions,
               create_pod_identity_association, list_pod_identity_associations,
               describe_pod_identity_association, update_pod_identity_association,
               delete_pod_identity_association):
        setattr(EKSResponse, fn.__name__, fn)
    account_urls.url_paths["{0}/listRegions$"] = AccountResponse.dispatch
    AccountResponse.list_regions = list_regions
    EKSResponse.create_cluster = _create_cluster_with_compute(EKSResponse.create_cluster)
    eks_models.EKSBackend.tag_resource = _tag_associations_too(eks_models.EKSBackend.tag_resource)
    eks_models.EKSBackend.untag_resource = _untag_associations_too(eks_models.EKSBackend.untag_resource)
    for name in ("list_fargate_profiles", "list_nodegroups"):
        setattr(eks_models.EKSBackend, name, _cluster_checked(getattr(eks_models.EKSBackend, name)))

    for fn in (add_client_id_to_open_id_connect_provider, remove_client_id_from_open_id_connect_provider):
        setattr(IamResponse, fn.__name__, fn)
    backend = iam_models.IAMBackend
    create_role, update_trust, create_oidc = (
        backend.create_role, backend.update_assume_role_policy, backend.create_open_id_connect_provider)

    def create_role_checked(self: Any, role_name: str, assume_role_policy_document: str, *a: Any, **kw: Any) -> Any:
        _check_trust_size(assume_role_policy_document)
        return create_role(self, role_name, assume_role_policy_document, *a, **kw)

    def update_trust_checked(self: Any, role_name: str, policy_document: str) -> None:
        _check_trust_size(policy_document)
        update_trust(self, role_name, policy_document)

    def create_oidc_worded(self: Any, url: str, *a: Any, **kw: Any) -> Any:
        try:
            return create_oidc(self, url, *a, **kw)
        except EntityAlreadyExists:  # moto says "Unknown"
            raise EntityAlreadyExists(f"Provider with url {url} already exists.")

    backend.create_role, backend.update_assume_role_policy = create_role_checked, update_trust_checked
    backend.delete_policy = _delete_policy_checked(backend.delete_policy)
    _lookups_worded(backend)
    backend.create_open_id_connect_provider = create_oidc_worded
    summary = iam_models.AccountSummary.summary_map
    iam_models.AccountSummary.summary_map = property(
        lambda self: {**summary.fget(self), "AssumeRolePolicySizeQuota": STATE["assume_role_policy_quota"]})


# ---------------------------------------------------------------- control routes (/_emulator/...)

def control(method: str, route: str, body: dict[str, Any]) -> tuple[int, Any]:
    """Handle the control routes this module owns; (404, None) when the route is not ours."""
    region = body.get("region") or "us-east-1"
    account = body.get("accountId") or DEFAULT_ACCOUNT
    if route == "cluster-endpoint" and method == "POST":
        key = body.get("clusterName") or "*"
        if body.get("endpoint"):
            STATE["endpoints"][key] = {"endpoint": body["endpoint"], "caData": body.get("caData") or ""}
        else:
            STATE["endpoints"].pop(key, None)
        return 200, {"endpoints": STATE["endpoints"]}
    if route == "addon-behaviour" and method == "POST":
        known = {k: body[k] for k in ("readsUntilActive", "secondsUntilActive", "outcome", "issues") if k in body}
        if body.get("addonName"):
            STATE["addon_by_name"].setdefault(body["addonName"], {}).update(known)
        else:
            STATE["addon"].update(known)
        return 200, {"addon": STATE["addon"], "byName": STATE["addon_by_name"]}
    if route == "iam-propagation" and method == "POST":
        STATE["fail_association_writes"] = int(body.get("failNext", 0))
        return 200, {"failNext": STATE["fail_association_writes"]}
    if route == "role-validation" and method == "POST":
        STATE["validate_roles"] = bool(body.get("enabled", True))
        return 200, {"enabled": STATE["validate_roles"]}
    if route == "account-summary" and method == "POST":
        STATE["assume_role_policy_quota"] = int(body.get("AssumeRolePolicySizeQuota", 2048))
        return 200, {"AssumeRolePolicySizeQuota": STATE["assume_role_policy_quota"]}
    if route == "regions" and method == "POST":
        if "enabled" in body:
            STATE["enabled_regions"] = None if body["enabled"] is None else [str(r) for r in body["enabled"]]
        if "refused" in body:
            STATE["refused_regions"] = [str(r) for r in body["refused"] or []]
    if route == "regions" and method in ("POST", "GET"):
        return 200, {"enabled": STATE["enabled_regions"], "refused": STATE["refused_regions"]}
    if route == "pod-identity-associations" and method == "POST":
        backend = eks_models.eks_backends[account][region]
        p = {k: body[k] for k in ("namespace", "serviceAccount", "roleArn", "ownerArn", "tags",
                                  "targetRoleArn", "disableSessionTags", "policy") if k in body}
        try:
            _validate_role_arn(p.get("roleArn"))
            association = create_association(backend, body.get("clusterName", ""), p, validate=False)
        except (ResourceNotFoundException, ResourceInUseException, InvalidParameterException) as e:
            return e.code, json.loads(e.description)
        view = association.view()
        return 200, {"association": {**view, "createdAt": view["createdAt"].isoformat(),
                                     "modifiedAt": view["modifiedAt"].isoformat()}}
    return 404, None
