"""Evaluation of an IAM role's trust policy (resource-based) for one request, as IAM does for sts:AssumeRole*.

    decide(document, principal, actions, context) -> Decision

`principal` is who asks: {"Service": "pods.eks.amazonaws.com"}, {"Federated": provider ARN} or
{"AWS": role/user/session ARN}. Every action must be allowed by some statement and denied by none (an
explicit Deny wins). `context` maps condition keys (case-insensitive) to a string or a list of strings.
Pure Python, no moto: the evaluator's own checks are in trust_policy_checks.py.
"""

import json
import re
from dataclasses import dataclass
from typing import Any

NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike"}


@dataclass
class Decision:
    allowed: bool
    reason: str  # "allowed" | "explicit deny" | "no statement allows <action>" | "invalid policy"


def as_list(value: Any) -> list[Any]:
    return [] if value is None else list(value) if isinstance(value, (list, tuple)) else [value]


def wildcard(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """IAM wildcards: `*` any run of characters, `?` exactly one."""
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(rx, value, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL) is not None


# ---------------------------------------------------------------- principals

def _account_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and parts[0] == "arn" else None


def _role_of_session(arn: str) -> str | None:
    """arn:aws:sts::111:assumed-role/R/session -> arn:aws:iam::111:role/R (trust policies name the role)."""
    m = re.match(r"^arn:([^:]+):sts::(\d{12}):assumed-role/([^/]+)/.+$", arn)
    return f"arn:{m.group(1)}:iam::{m.group(2)}:role/{m.group(3)}" if m else None


def _aws_matches(pattern: str, arn: str) -> bool:
    if pattern == "*":
        return True
    if re.fullmatch(r"\d{12}", pattern):  # "111122223333" means the account's root
        pattern = f"arn:aws:iam::{pattern}:root"
    candidates = [arn] + [r for r in [_role_of_session(arn)] if r]
    if pattern.endswith(":root"):  # the account: any principal in it
        return any(_account_of(c) == _account_of(pattern) for c in candidates)
    return any(pattern == c for c in candidates)


def principal_matches(block: Any, principal: dict[str, str]) -> bool:
    """Does a Principal / NotPrincipal element name the requesting principal?"""
    if block == "*":
        return True
    if not isinstance(block, dict):
        return False
    if "*" in as_list(block.get("AWS")):  # {"AWS": "*"} is everyone, as "*" is
        return True
    for kind, who in principal.items():
        for pattern in as_list(block.get(kind)):
            if not isinstance(pattern, str):
                continue
            if kind == "AWS" and _aws_matches(pattern, who):
                return True
            if kind != "AWS" and (pattern == "*" or pattern == who):
                return True
    return False


# ---------------------------------------------------------------- conditions

def _lookup(context: dict[str, Any], key: str) -> list[str] | None:
    low = key.lower()
    for k, v in context.items():
        if k.lower() == low:
            return [str(x) for x in as_list(v)]
    return None


def _arn_like(pattern: str, value: str) -> bool:
    """ArnEquals/ArnLike: each of the six colon-separated parts compared separately, wildcards allowed."""
    p, v = pattern.split(":", 5), value.split(":", 5)
    return len(p) == len(v) == 6 and all(wildcard(a, b) for a, b in zip(p, v))


def _match_one(base: str, expected: str, actual: str) -> bool:
    if base in ("StringEquals", "StringNotEquals"):
        return expected == actual
    if base in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
        return expected.lower() == actual.lower()
    if base in ("StringLike", "StringNotLike"):
        return wildcard(expected, actual)
    if base in ("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"):
        return _arn_like(expected, actual)
    if base == "Bool":
        return expected.lower() == actual.lower()
    raise KeyError(base)


def _single_value(base: str, expected: list[str], actual: str) -> bool:
    """One context value against the condition's values (ORed); negated operators: matches none of them."""
    hit = any(_match_one(base, str(e), actual) for e in expected)
    return not hit if base in NEGATED else hit


def condition_holds(operator: str, key: str, expected: Any, context: dict[str, Any]) -> bool:
    expected_values = [str(e) if not isinstance(e, bool) else str(e).lower() for e in as_list(expected)]
    actual = _lookup(context, key)
    base, if_exists = (operator[:-8], True) if operator.endswith("IfExists") else (operator, False)
    qualifier = None
    if ":" in base:
        qualifier, base = base.split(":", 1)
    if base == "Null":
        return (actual is None) == (expected_values[:1] == ["true"])
    if actual is None or (qualifier and not actual):
        if if_exists:
            return True
        if qualifier == "ForAllValues":
            return True  # vacuously true over an empty set
        if qualifier == "ForAnyValue":
            return False
        return base in NEGATED  # a missing key "does not equal" anything
    if qualifier == "ForAllValues":
        return all(_single_value(base, expected_values, a) for a in actual)
    if qualifier == "ForAnyValue":
        return any(_single_value(base, expected_values, a) for a in actual)
    # A single-valued operator over a multi-valued key: every value must satisfy it (IAM's behaviour is
    # ambiguous there; single-valued keys are the case that matters).
    return all(_single_value(base, expected_values, a) for a in actual)


def conditions_hold(block: Any, context: dict[str, Any]) -> bool:
    """Every operator, every key in it (AND); the values of one key are ORed. Unknown operators never hold."""
    if block is None:
        return True
    if not isinstance(block, dict):
        return False
    for operator, keys in block.items():
        if not isinstance(keys, dict):
            return False
        for key, expected in keys.items():
            try:
                if not condition_holds(operator, key, expected, context):
                    return False
            except KeyError:
                return False
    return True


# ---------------------------------------------------------------- statements

def _action_matches(st: dict[str, Any], action: str) -> bool:
    if "NotAction" in st:
        return not any(wildcard(p, action, True) for p in as_list(st["NotAction"]) if isinstance(p, str))
    return any(wildcard(p, action, True) for p in as_list(st.get("Action")) if isinstance(p, str))


def _principal_applies(st: dict[str, Any], principal: dict[str, str]) -> bool:
    if "NotPrincipal" in st:
        return not principal_matches(st["NotPrincipal"], principal)
    return principal_matches(st.get("Principal"), principal)


def statement_applies(st: dict[str, Any], principal: dict[str, str], action: str, context: dict[str, Any]) -> bool:
    return (_principal_applies(st, principal) and _action_matches(st, action)
            and conditions_hold(st.get("Condition"), context))


def statements(document: Any) -> list[dict[str, Any]] | None:
    """The statements of a policy given as JSON text or a dict (moto keeps the text, maybe URL-encoded)."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            from urllib.parse import unquote

            try:
                document = json.loads(unquote(document))
            except ValueError:
                return None
    if not isinstance(document, dict) or "Statement" not in document:
        return None
    found = as_list(document["Statement"])
    return found if all(isinstance(s, dict) for s in found) else None


def decide(document: Any, principal: dict[str, str], actions: list[str], context: dict[str, Any]) -> Decision:
    found = statements(document)
    if found is None:
        return Decision(False, "invalid policy")
    for action in actions:
        applying = [s for s in found if statement_applies(s, principal, action, context)]
        if any(s.get("Effect") == "Deny" for s in applying):
            return Decision(False, "explicit deny")
        if not any(s.get("Effect") == "Allow" for s in applying):
            return Decision(False, f"no statement allows {action}")
    return Decision(True, "allowed")
