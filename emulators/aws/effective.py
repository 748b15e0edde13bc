"""The state the credential exchanges (EKS Auth, STS AssumeRoleWithWebIdentity) evaluate: role trust policies
and Pod Identity associations as in effect now, i.e. with the propagation delay applied (propagation.py).

apply() hooks the places moto (and moto_ext) change them: CreateRole / UpdateAssumeRolePolicy / DeleteRole,
and every association added to, updated in or removed from a cluster (EKS API, add-ons, control routes).
"""

from typing import Any

from moto.eks import models as eks_models
from moto.iam import models as iam_models

import moto_ext
from propagation import PROPAGATION


# ---------------------------------------------------------------- roles

def find_role(arn: str) -> Any | None:
    """The role with this ARN, in its own account (accounts other than the caller's exist in moto too)."""
    parts = arn.split(":") if isinstance(arn, str) else []
    if len(parts) < 6 or parts[2] != "iam":
        return None
    partition = parts[1]
    backends = iam_models.iam_backends.get(parts[4]) if parts[4] in iam_models.iam_backends else None
    backend = backends.get(partition) if backends is not None and partition in backends else None
    if backend is None:
        return None
    return next((r for r in list(backend.roles.values()) if r.arn == arn), None)


def effective_trust(role_arn: str) -> str | None:
    """The role's trust policy as the exchanges see it; None: the role does not exist (for them)."""
    role = find_role(role_arn)
    return PROPAGATION.seen(("role", role_arn), role.assume_role_policy_document if role else None)


def _hook_roles() -> None:
    backend = iam_models.IAMBackend
    create_role, update_trust, delete_role = (
        backend.create_role, backend.update_assume_role_policy, backend.delete_role)

    def create_role_recorded(self: Any, *args: Any, **kwargs: Any) -> Any:
        role = create_role(self, *args, **kwargs)
        PROPAGATION.record(("role", role.arn), None, role.assume_role_policy_document)
        return role

    def update_trust_recorded(self: Any, role_name: str, policy_document: str) -> None:
        role = self.get_role(role_name)
        before = role.assume_role_policy_document
        update_trust(self, role_name, policy_document)
        PROPAGATION.record(("role", role.arn), before, role.assume_role_policy_document)

    def delete_role_recorded(self: Any, role_name: str) -> None:
        role = self.get_role(role_name)
        delete_role(self, role_name)
        PROPAGATION.record(("role", role.arn), role.assume_role_policy_document, None)

    backend.create_role = create_role_recorded
    backend.update_assume_role_policy = update_trust_recorded
    backend.delete_role = delete_role_recorded


# ---------------------------------------------------------------- associations

def snapshot(a: Any) -> dict[str, Any]:
    return {"associationId": a.id, "associationArn": a.arn, "clusterName": a.cluster_name, "namespace": a.namespace,
            "serviceAccount": a.service_account, "roleArn": a.role_arn, "targetRoleArn": a.target_role_arn,
            "externalId": a.external_id, "disableSessionTags": a.disable_session_tags, "policy": a.policy}


def _key(cluster_arn: str, namespace: str, service_account: str) -> tuple[str, str, str, str]:
    return ("association", cluster_arn, namespace, service_account)


class RecordedAssociations(dict):  # type: ignore[type-arg]
    """A cluster's associations by ID; every addition and removal is recorded for the propagation delay."""

    def __init__(self, cluster_arn: str) -> None:
        super().__init__()
        self.cluster_arn = cluster_arn

    def live(self, namespace: str, service_account: str) -> dict[str, Any] | None:
        wanted = (namespace, service_account)
        found = next((a for a in self.values() if (a.namespace, a.service_account) == wanted), None)
        return snapshot(found) if found else None

    def __setitem__(self, key: str, association: Any) -> None:
        before = self.live(association.namespace, association.service_account)
        super().__setitem__(key, association)
        association.recorded_in = self.cluster_arn  # from now on, its updates are recorded too
        PROPAGATION.record(_key(self.cluster_arn, association.namespace, association.service_account),
                           before, snapshot(association))

    def __delitem__(self, key: str) -> None:
        association = self[key]
        super().__delitem__(key)
        association.recorded_in = None
        PROPAGATION.record(_key(self.cluster_arn, association.namespace, association.service_account),
                           snapshot(association), None)

    def pop(self, key: str, *default: Any) -> Any:
        if key in self:
            association = self[key]
            del self[key]
            return association
        if default:
            return default[0]
        raise KeyError(key)


def effective_association(cluster: Any, namespace: str, service_account: str) -> dict[str, Any] | None:
    associations = cluster.pod_identity_associations
    live = associations.live(namespace, service_account) if isinstance(associations, RecordedAssociations) else None
    return PROPAGATION.seen(_key(cluster.arn, namespace, service_account), live)


def _hook_associations() -> None:
    cluster_init = eks_models.Cluster.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        cluster_init(self, *args, **kwargs)
        self.pod_identity_associations = RecordedAssociations(self.arn)

    eks_models.Cluster.__init__ = init
    update = moto_ext.Association.update

    def update_recorded(self: Any, p: dict[str, Any]) -> None:
        before = snapshot(self)
        update(self, p)
        cluster_arn = getattr(self, "recorded_in", None)
        if cluster_arn:  # not while it is being created (its __init__ calls update)
            PROPAGATION.record(_key(cluster_arn, self.namespace, self.service_account), before, snapshot(self))

    moto_ext.Association.update = update_recorded


def find_cluster(account: str, region: str, name: str) -> Any | None:
    return eks_models.eks_backends[account][region].clusters.get(name)


def apply() -> None:
    """After moto_ext.apply(): wraps what it installed."""
    _hook_roles()
    _hook_associations()


def reset() -> None:
    PROPAGATION.reset()
