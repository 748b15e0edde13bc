"""Checks of trust_policy.py: python3 emulators/aws/trust_policy_checks.py (run by emulator-aws-proof.test.ts)."""

import os
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from trust_policy import decide  # noqa: E402

PODS = {"Service": "pods.eks.amazonaws.com"}
ACTIONS = ["sts:AssumeRole", "sts:TagSession"]
ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
PROVIDER = f"arn:aws:iam::111122223333:oidc-provider/{ISSUER}"
ROLE = "arn:aws:iam::111122223333:role/app"


def allow(condition: dict | None = None, principal: dict | str = PODS, action: object = ACTIONS) -> dict:
    st = {"Effect": "Allow", "Principal": principal, "Action": action}
    return {**st, "Condition": condition} if condition is not None else st


def policy(*sts: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(sts)}


class Principals(unittest.TestCase):
    def test_service_allowed_and_other_service_not(self) -> None:
        self.assertTrue(decide(policy(allow()), PODS, ACTIONS, {}).allowed)
        self.assertFalse(decide(policy(allow(principal={"Service": "ec2.amazonaws.com"})), PODS, ACTIONS, {}).allowed)

    def test_statement_as_object_and_text(self) -> None:
        import json

        doc = {"Version": "2012-10-17", "Statement": allow()}
        self.assertTrue(decide(json.dumps(doc), PODS, ACTIONS, {}).allowed)
        self.assertEqual(decide("not json", PODS, ACTIONS, {}).reason, "invalid policy")

    def test_aws_role_account_root_and_session(self) -> None:
        session = "arn:aws:sts::111122223333:assumed-role/app/eks-session"
        for named in (ROLE, "arn:aws:iam::111122223333:root", "111122223333", "*"):
            doc = policy(allow(principal={"AWS": named}))
            self.assertTrue(decide(doc, {"AWS": session}, ACTIONS, {}).allowed, named)
        self.assertFalse(decide(policy(allow(principal={"AWS": "arn:aws:iam::999999999999:root"})), {"AWS": ROLE},
                                ACTIONS, {}).allowed)
        self.assertFalse(decide(policy(allow(principal={"AWS": ROLE + "2"})), {"AWS": ROLE}, ACTIONS, {}).allowed)

    def test_federated(self) -> None:
        action = ["sts:AssumeRoleWithWebIdentity"]
        doc = policy(allow(principal={"Federated": PROVIDER}, action="sts:AssumeRoleWithWebIdentity"))
        self.assertTrue(decide(doc, {"Federated": PROVIDER}, action, {}).allowed)
        self.assertFalse(decide(doc, {"Federated": PROVIDER + "X"}, action, {}).allowed)
        self.assertFalse(decide(doc, PODS, action, {}).allowed)

    def test_aws_star_is_everyone(self) -> None:
        deny = {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:*"}
        self.assertEqual(decide(policy(allow(), deny), PODS, ACTIONS, {}).reason, "explicit deny")
        self.assertFalse(decide(policy(allow(principal={"AWS": "111122223333"})), PODS, ACTIONS, {}).allowed)

    def test_not_principal_deny(self) -> None:
        deny = {"Effect": "Deny", "NotPrincipal": {"Service": "ec2.amazonaws.com"}, "Action": "*"}
        self.assertEqual(decide(policy(allow(), deny), PODS, ACTIONS, {}).reason, "explicit deny")


class Actions(unittest.TestCase):
    def test_every_action_needed(self) -> None:
        decision = decide(policy(allow(action="sts:AssumeRole")), PODS, ACTIONS, {})
        self.assertEqual((decision.allowed, decision.reason), (False, "no statement allows sts:TagSession"))

    def test_wildcards_case_and_not_action(self) -> None:
        for pattern in ("sts:*", "*", ["STS:assumerole*", "sts:tagsession"], ["sts:Assume?ole", "sts:Tag*"]):
            self.assertTrue(decide(policy(allow(action=pattern)), PODS, ACTIONS, {}).allowed, pattern)
        not_action = {"Effect": "Allow", "Principal": PODS, "NotAction": "iam:*"}
        self.assertTrue(decide(policy(not_action), PODS, ACTIONS, {}).allowed)
        not_tag = {"Effect": "Allow", "Principal": PODS, "NotAction": "sts:TagSession"}
        self.assertFalse(decide(policy(not_tag), PODS, ACTIONS, {}).allowed)


class DenyWins(unittest.TestCase):
    def test_foreign_deny(self) -> None:
        deny = {"Effect": "Deny", "Principal": "*", "Action": "sts:TagSession"}
        self.assertEqual(decide(policy(allow(), deny), PODS, ACTIONS, {}).reason, "explicit deny")
        self.assertTrue(decide(policy(allow(), deny), PODS, ["sts:AssumeRole"], {}).allowed)

    def test_conditional_deny_applies_only_when_it_holds(self) -> None:
        deny = {"Effect": "Deny", "Principal": "*", "Action": "sts:*",
                "Condition": {"StringEquals": {"aws:RequestTag/kubernetes-namespace": "kube-system"}}}
        self.assertFalse(decide(policy(allow(), deny), PODS, ACTIONS,
                                {"aws:RequestTag/kubernetes-namespace": "kube-system"}).allowed)
        self.assertTrue(decide(policy(allow(), deny), PODS, ACTIONS,
                               {"aws:RequestTag/kubernetes-namespace": "apps"}).allowed)


CTX = {
    "aws:RequestTag/kubernetes-namespace": "apps",
    "aws:RequestTag/kubernetes-service-account": "api",
    "aws:SourceArn": "arn:aws:eks:us-east-1:111122223333:cluster/prod",
    "aws:SourceAccount": "111122223333",
    "aws:TagKeys": ["kubernetes-namespace", "kubernetes-service-account"],
    "aws:SecureTransport": "true",
}


def holds(condition: dict, context: dict = CTX) -> bool:
    return decide(policy(allow(condition)), PODS, ACTIONS, context).allowed


class Conditions(unittest.TestCase):
    def test_string_operators(self) -> None:
        self.assertTrue(holds({"StringEquals": {"aws:requesttag/kubernetes-namespace": "apps"}}))  # key: any case
        self.assertFalse(holds({"StringEquals": {"aws:RequestTag/kubernetes-namespace": "Apps"}}))
        self.assertTrue(holds({"StringEqualsIgnoreCase": {"aws:RequestTag/kubernetes-namespace": "Apps"}}))
        self.assertTrue(holds({"StringEquals": {"aws:RequestTag/kubernetes-namespace": ["x", "apps"]}}))  # ORed
        self.assertTrue(holds({"StringLike": {"aws:RequestTag/kubernetes-service-account": "a?i*"}}))
        self.assertFalse(holds({"StringLike": {"aws:RequestTag/kubernetes-service-account": "b*"}}))
        self.assertTrue(holds({"StringNotEquals": {"aws:RequestTag/kubernetes-namespace": ["x", "y"]}}))
        self.assertFalse(holds({"StringNotEquals": {"aws:RequestTag/kubernetes-namespace": ["x", "apps"]}}))
        self.assertTrue(holds({"StringNotLike": {"aws:RequestTag/kubernetes-namespace": "kube-*"}}))
        self.assertFalse(holds({"StringNotLike": {"aws:RequestTag/kubernetes-namespace": "a*"}}))

    def test_keys_and_operators_are_anded(self) -> None:
        both = {"StringEquals": {"aws:RequestTag/kubernetes-namespace": "apps",
                                 "aws:RequestTag/kubernetes-service-account": "other"}}
        self.assertFalse(holds(both))
        self.assertFalse(holds({"StringEquals": {"aws:SourceAccount": "111122223333"},
                                "StringLike": {"aws:RequestTag/kubernetes-namespace": "kube-*"}}))

    def test_missing_key(self) -> None:
        self.assertFalse(holds({"StringEquals": {"aws:RequestTag/eks-cluster-name": "prod"}}))
        self.assertTrue(holds({"StringNotEquals": {"aws:RequestTag/eks-cluster-name": "prod"}}))
        self.assertTrue(holds({"StringEqualsIfExists": {"aws:RequestTag/eks-cluster-name": "prod"}}))
        self.assertFalse(holds({"StringEqualsIfExists": {"aws:RequestTag/kubernetes-namespace": "x"}}))

    def test_arn_operators(self) -> None:
        self.assertTrue(holds({"ArnEquals": {"aws:SourceArn": "arn:aws:eks:us-east-1:111122223333:cluster/prod"}}))
        self.assertTrue(holds({"ArnLike": {"aws:SourceArn": "arn:aws:eks:*:111122223333:cluster/*"}}))
        self.assertFalse(holds({"ArnLike": {"aws:SourceArn": "arn:aws:eks:*:999999999999:cluster/*"}}))
        self.assertFalse(holds({"ArnLike": {"aws:SourceArn": "not-an-arn"}}))
        self.assertTrue(holds({"ArnNotLike": {"aws:SourceArn": "arn:aws:eks:*:*:cluster/dev-*"}}))

    def test_set_qualifiers(self) -> None:
        self.assertTrue(holds({"ForAllValues:StringLike": {"aws:TagKeys": ["kubernetes-*", "eks-*"]}}))
        self.assertFalse(holds({"ForAllValues:StringEquals": {"aws:TagKeys": ["kubernetes-namespace"]}}))
        self.assertTrue(holds({"ForAnyValue:StringEquals": {"aws:TagKeys": ["kubernetes-namespace"]}}))
        self.assertFalse(holds({"ForAnyValue:StringEquals": {"aws:TagKeys": ["eks-cluster-name"]}}))
        self.assertTrue(holds({"ForAllValues:StringEquals": {"aws:PrincipalTag/x": ["y"]}}))  # empty set: vacuous
        self.assertFalse(holds({"ForAnyValue:StringEquals": {"aws:PrincipalTag/x": ["y"]}}))

    def test_null_and_bool(self) -> None:
        self.assertTrue(holds({"Null": {"aws:RequestTag/eks-cluster-name": "true"}}))
        self.assertFalse(holds({"Null": {"aws:RequestTag/kubernetes-namespace": "true"}}))
        self.assertTrue(holds({"Null": {"aws:RequestTag/kubernetes-namespace": "false"}}))
        self.assertTrue(holds({"Bool": {"aws:SecureTransport": True}}))
        self.assertFalse(holds({"Bool": {"aws:SecureTransport": "false"}}))
        self.assertTrue(holds({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}))

    def test_unknown_operator_never_holds(self) -> None:
        self.assertFalse(holds({"NumericLessThan": {"aws:SourceAccount": "1"}}))
        self.assertFalse(holds({"StringEquals": "not-a-block"}))

    def test_web_identity_sub_and_aud(self) -> None:
        doc = policy(allow({"StringEquals": {f"{ISSUER}:sub": "system:serviceaccount:apps:api",
                                             f"{ISSUER}:aud": "sts.amazonaws.com"}},
                           principal={"Federated": PROVIDER}, action="sts:AssumeRoleWithWebIdentity"))
        ctx = {f"{ISSUER}:sub": "system:serviceaccount:apps:api", f"{ISSUER}:aud": "sts.amazonaws.com"}
        self.assertTrue(decide(doc, {"Federated": PROVIDER}, ["sts:AssumeRoleWithWebIdentity"], ctx).allowed)
        wrong = {**ctx, f"{ISSUER}:aud": "other"}
        self.assertFalse(decide(doc, {"Federated": PROVIDER}, ["sts:AssumeRoleWithWebIdentity"], wrong).allowed)


if __name__ == "__main__":
    unittest.main(verbosity=1)
