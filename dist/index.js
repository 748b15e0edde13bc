import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 2613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 181:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("buffer");

/***/ }),

/***/ 5317:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("child_process");

/***/ }),

/***/ 6982:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("crypto");

/***/ }),

/***/ 2250:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("dns");

/***/ }),

/***/ 4434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 9896:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");

/***/ }),

/***/ 8611:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");

/***/ }),

/***/ 5692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("https");

/***/ }),

/***/ 9278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 4589:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:assert");

/***/ }),

/***/ 6698:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:async_hooks");

/***/ }),

/***/ 4573:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:buffer");

/***/ }),

/***/ 1421:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");

/***/ }),

/***/ 7540:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:console");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 3053:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:diagnostics_channel");

/***/ }),

/***/ 610:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:dns");

/***/ }),

/***/ 8474:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:events");

/***/ }),

/***/ 3024:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 1455:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");

/***/ }),

/***/ 7067:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");

/***/ }),

/***/ 2467:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http2");

/***/ }),

/***/ 4708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:https");

/***/ }),

/***/ 7030:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 8161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 6760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 643:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:perf_hooks");

/***/ }),

/***/ 1708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:process");

/***/ }),

/***/ 1792:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:querystring");

/***/ }),

/***/ 481:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:readline");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 1692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");

/***/ }),

/***/ 3136:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 3429:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util/types");

/***/ }),

/***/ 5919:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");

/***/ }),

/***/ 8522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ }),

/***/ 857:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");

/***/ }),

/***/ 6928:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");

/***/ }),

/***/ 4876:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("punycode");

/***/ }),

/***/ 3480:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("querystring");

/***/ }),

/***/ 2203:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("stream");

/***/ }),

/***/ 3193:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("string_decoder");

/***/ }),

/***/ 3557:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("timers");

/***/ }),

/***/ 4756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 2018:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tty");

/***/ }),

/***/ 7016:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("url");

/***/ }),

/***/ 9023:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

/***/ }),

/***/ 9154:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("vm");

/***/ }),

/***/ 3106:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("zlib");

/***/ }),

/***/ 1635:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   DM: () => (/* binding */ parseRoleArn),
/* harmony export */   VU: () => (/* binding */ parsePolicyArn),
/* harmony export */   cn: () => (/* binding */ partitionOfRegion),
/* harmony export */   iw: () => (/* binding */ oidcProviderArn),
/* harmony export */   rw: () => (/* binding */ issuerHostPath),
/* harmony export */   tn: () => (/* binding */ REGION_RE),
/* harmony export */   w3: () => (/* binding */ roleArn)
/* harmony export */ });
/* unused harmony exports PARTITIONS, clusterArn */
// ARNs and partitions. Every ARN the tool builds goes through here so that
// China and GovCloud clusters get `aws-cn` / `aws-us-gov` ARNs, never `aws`.
const PARTITIONS = (/* unused pure expression or super */ null && (['aws', 'aws-cn', 'aws-us-gov']));
const PARTITION_RE = '(aws|aws-cn|aws-us-gov)';
/** Region shape: us-east-1, eu-central-2, cn-north-1, us-gov-west-1, ap-southeast-5 ... */
const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** Which partition a region is in; undefined for partitions we do not support (ISO regions). */
function partitionOfRegion(region) {
    if (region.startsWith('cn-'))
        return 'aws-cn';
    if (region.startsWith('us-gov-'))
        return 'aws-us-gov';
    if (/^[a-z]{2}-iso/.test(region))
        return undefined;
    return 'aws';
}
const ROLE_ARN = new RegExp(`^arn:${PARTITION_RE}:iam::(\\d{12}):role(/(?:[\\x21-\\x7e]+/)?)?([\\w+=,.@-]{1,64})$`);
const POLICY_ARN = new RegExp(`^arn:${PARTITION_RE}:iam::(\\d{12}|aws):policy/(?:[\\x21-\\x7e]*/)?[\\w+=,.@-]{1,128}$`);
function parseRoleArn(arn) {
    const m = ROLE_ARN.exec(arn);
    if (!m)
        return undefined;
    return { arn, partition: m[1], accountId: m[2], path: m[3] ?? '/', name: m[4] };
}
function parsePolicyArn(arn) {
    const m = POLICY_ARN.exec(arn);
    return m ? { partition: m[1], accountId: m[2] } : undefined;
}
function roleArn(partition, accountId, name, path = '/') {
    return `arn:${partition}:iam::${accountId}:role${path}${name}`;
}
/** `https://oidc.eks.us-east-1.amazonaws.com/id/ABC` → `oidc.eks.us-east-1.amazonaws.com/id/ABC` (the condition-key prefix). */
function issuerHostPath(issuerUrl) {
    return issuerUrl.replace(/^https:\/\//, '').replace(/\/+$/, '');
}
function oidcProviderArn(partition, accountId, issuerUrl) {
    return `arn:${partition}:iam::${accountId}:oidc-provider/${issuerHostPath(issuerUrl)}`;
}
function clusterArn(partition, region, accountId, cluster) {
    return `arn:${partition}:eks:${region}:${accountId}:cluster/${cluster}`;
}


/***/ }),

/***/ 9473:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   T: () => (/* binding */ oneLine),
/* harmony export */   e: () => (/* binding */ RunError)
/* harmony export */ });
// Failure messages: one line, naming the cause.
/** A failure the program explains itself (no stack trace is useful to the user). */
class RunError extends Error {
}
function oneLine(e) {
    const message = e instanceof Error ? e.message || e.name : String(e);
    return message.replace(/\s*\n\s*/g, ' ').trim();
}


/***/ }),

/***/ 1296:
/***/ ((__webpack_module__, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(__webpack_module__, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _main_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(8946);
// The bundle's entrypoint (dist/index.js): the GitHub Action, the Octopus step and the CLI all start here.

await (0,_main_js__WEBPACK_IMPORTED_MODULE_0__/* .run */ .e)();

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 8946:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  e: () => (/* binding */ run)
});

// UNUSED EXPORTS: runOn

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: ./build/arn.js
var build_arn = __nccwpck_require__(1635);
// EXTERNAL MODULE: ./build/plan/ownership.js
var ownership = __nccwpck_require__(959);
;// CONCATENATED MODULE: ./build/inputs/validate.js
// Field validators. Each returns the parsed value, or throws InputError whose message is one
// sentence naming the input and saying what is expected. Pure: no I/O except where noted.


class InputError extends Error {
    input;
    constructor(input, detail) {
        super(`Input "${input}" ${detail}`);
        this.input = input;
    }
}
const show = (v) => JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);
function validate_clusterName(v) {
    if (!/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(v))
        throw new InputError('cluster-name', `must be an EKS cluster name (1-100 letters, digits, "-" or "_", starting with a letter or digit), got ${show(v)}.`);
    return v;
}
function validate_region(v) {
    if (!build_arn/* REGION_RE */.tn.test(v))
        throw new InputError('aws-region', `must be an AWS region such as "us-east-1", got ${show(v)}.`);
    return v;
}
function validate_mode(v) {
    const m = v.trim().toLowerCase();
    if (m === 'pod-identity' || m === 'irsa')
        return m;
    throw new InputError('mode', `must be "pod-identity" or "irsa", got ${show(v)}.`);
}
// Kubernetes: namespaces are DNS-1123 labels, service accounts DNS-1123 subdomains.
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
function validate_namespace(v) {
    if (v.length > 63 || !DNS1123_LABEL.test(v))
        throw new InputError('namespace', `must be a Kubernetes namespace name (DNS-1123 label: at most 63 lowercase letters, digits or "-", starting and ending with a letter or digit), got ${show(v)}.`);
    return v;
}
function validate_serviceAccount(v) {
    if (v.length > 253 || !v.split('.').every((part) => DNS1123_LABEL.test(part)))
        throw new InputError('service-account', `must be a Kubernetes service account name (DNS-1123 subdomain: at most 253 lowercase letters, digits, "-" or ".", starting and ending with a letter or digit), got ${show(v)}.`);
    return v;
}
function roleName(v) {
    if (!/^[\w+=,.@-]{1,64}$/.test(v))
        throw new InputError('role-name', `must be an IAM role name (1-64 letters, digits or "+=,.@_-"), got ${show(v)}.`);
    return v;
}
function roleArnInput(v, partition) {
    const arn = (0,build_arn/* parseRoleArn */.DM)(v);
    if (!arn)
        throw new InputError('role-arn', `must be an IAM role ARN such as "arn:aws:iam::123456789012:role/my-role", got ${show(v)}.`);
    if (partition && arn.partition !== partition)
        throw new InputError('role-arn', `is in partition "${arn.partition}" but the region is in "${partition}".`);
    return arn;
}
function policyArn(input, v, partition) {
    const arn = (0,build_arn/* parsePolicyArn */.VU)(v);
    if (!arn)
        throw new InputError(input, `must hold IAM policy ARNs such as "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", got ${show(v)}.`);
    if (partition && arn.partition !== partition)
        throw new InputError(input, `has ${show(v)} in partition "${arn.partition}" but the region is in "${partition}".`);
    return v;
}
/** IAM's hard limit on managed policies per role (the default quota is 10, raisable to 20). */
const MAX_MANAGED_POLICIES = 20;
function validate_policyArns(v, partition) {
    const arns = [...new Set(splitList(v))].map((a) => policyArn('policy-arns', a, partition));
    if (arns.length > MAX_MANAGED_POLICIES)
        throw new InputError('policy-arns', `lists ${arns.length} policies; IAM allows at most ${MAX_MANAGED_POLICIES} managed policies on a role.`);
    return arns;
}
function permissionsBoundary(v, partition) {
    return policyArn('permissions-boundary', v, partition);
}
/** Items separated by newlines or commas; blanks and surrounding spaces dropped. */
function splitList(v) {
    return v.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
}
// IAM and EKS tag rules: key 1-128, value 0-256, letters/digits/spaces and _ . : / = + - @; no "aws:" keys.
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const MAX_TAGS = 50 - ownership/* OWNERSHIP_TAG_COUNT */.fT;
function validate_tags(v) {
    const out = {};
    const seen = new Set();
    for (const item of splitList(v)) {
        const eq = item.indexOf('=');
        if (eq <= 0)
            throw new InputError('tags', `must be key=value lines, got ${show(item)}.`);
        const key = item.slice(0, eq).trim();
        const value = item.slice(eq + 1).trim();
        if (key.length > 128 || !TAG_CHARS.test(key))
            throw new InputError('tags', `has an invalid key ${show(key)}: 1-128 letters, digits, spaces or "_.:/=+-@".`);
        if (value.length > 256 || !TAG_CHARS.test(value))
            throw new InputError('tags', `has an invalid value for ${show(key)}: at most 256 letters, digits, spaces or "_.:/=+-@".`);
        if (/^aws:/i.test(key))
            throw new InputError('tags', `has key ${show(key)}: keys starting with "aws:" are reserved by AWS.`);
        if (key.toLowerCase().startsWith(ownership/* TAG_PREFIX */.C_))
            throw new InputError('tags', `has key ${show(key)}: keys starting with "${ownership/* TAG_PREFIX */.C_}" are set by eks-pod-iam itself.`);
        if (seen.has(key.toLowerCase()))
            throw new InputError('tags', `has key ${show(key)} more than once.`);
        seen.add(key.toLowerCase());
        out[key] = value;
    }
    if (seen.size > MAX_TAGS)
        throw new InputError('tags', `has ${seen.size} tags; at most ${MAX_TAGS} are allowed (IAM's 50 less the ${ownership/* OWNERSHIP_TAG_COUNT */.fT} eks-pod-iam adds).`);
    return out;
}
function validate_boolean(input, v) {
    const b = v.trim().toLowerCase();
    if (b === 'true')
        return true;
    if (b === 'false')
        return false;
    throw new InputError(input, `must be "true" or "false", got ${show(v)}.`);
}
function waitTimeout(v) {
    const s = v.trim();
    if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > 86400)
        throw new InputError('wait-timeout', `must be a whole number of seconds from 1 to 86400, got ${show(v)}.`);
    return Number(s);
}
function validate_audience(v) {
    if (v.length > 255 || !/^[\x21-\x7e]+$/.test(v) || v.includes(','))
        throw new InputError('audience', `must be an OIDC client ID (1-255 printable characters, no spaces or commas), got ${show(v)}.`);
    return v;
}

;// CONCATENATED MODULE: ./build/inputs/policy.js
// The `inline-policy` input: a JSON identity policy, or file://path to one.


/** IAM's limit on the aggregate size of a role's inline policies, whitespace excluded. */
const MAX_INLINE_POLICY_CHARS = 10240;
const fail = (detail) => {
    throw new InputError('inline-policy', detail);
};
function inlinePolicy(raw, readFile = (p) => (0,external_node_fs_.readFileSync)(p, 'utf8')) {
    let text = raw.trim();
    if (text.startsWith('file://')) {
        const path = text.slice('file://'.length);
        try {
            text = readFile(path);
        }
        catch (e) {
            fail(`points at ${JSON.stringify(path)}, which cannot be read (${e.code ?? e.message}).`);
        }
    }
    let doc;
    try {
        doc = JSON.parse(text);
    }
    catch (e) {
        return fail(`is not valid JSON (${e.message}).`);
    }
    return checkIdentityPolicy(doc);
}
function checkIdentityPolicy(doc) {
    if (!isObject(doc))
        return fail('must be a JSON object with a "Statement".');
    if (doc.Version !== undefined && doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17')
        fail(`has Version ${JSON.stringify(doc.Version)}; use "2012-10-17".`);
    const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
    if (doc.Statement === undefined || statements.length === 0)
        fail('must have at least one "Statement".');
    statements.forEach((s, i) => checkStatement(s, i + 1));
    if (JSON.stringify(doc).length > MAX_INLINE_POLICY_CHARS)
        fail(`is ${JSON.stringify(doc).length} characters without whitespace; IAM allows ${MAX_INLINE_POLICY_CHARS}.`);
    return doc;
}
function checkStatement(s, n) {
    if (!isObject(s))
        return fail(`statement ${n} must be a JSON object.`);
    if ('Principal' in s || 'NotPrincipal' in s)
        fail(`statement ${n} has a Principal: that is a trust (resource) policy; give a permissions policy for the role.`);
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny')
        fail(`statement ${n} must have "Effect": "Allow" or "Deny".`);
    if (('Action' in s) === ('NotAction' in s))
        fail(`statement ${n} must have exactly one of "Action" or "NotAction".`);
    if (('Resource' in s) === ('NotResource' in s))
        fail(`statement ${n} must have exactly one of "Resource" or "NotResource".`);
    for (const key of ['Action', 'NotAction', 'Resource', 'NotResource'])
        if (key in s && !isStringOrStrings(s[key]))
            fail(`statement ${n} "${key}" must be a string or a list of strings.`);
    if ('Condition' in s && !isObject(s.Condition))
        fail(`statement ${n} "Condition" must be a JSON object.`);
}
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringOrStrings = (v) => typeof v === 'string' || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string'));

;// CONCATENATED MODULE: ./build/inputs/spec.js
// The inputs of action.yml, with their defaults. action.yml is the source of truth;
// __tests__/action-contract.test.ts fails when this table and action.yml disagree.
// The defaults are applied here too because the CLI and Octopus shells have no runner to apply them.
const INPUT_DEFAULTS = {
    'cluster-name': undefined,
    'aws-region': '',
    mode: 'pod-identity',
    namespace: 'default',
    'service-account': undefined,
    'role-name': '',
    'role-arn': '',
    'policy-arns': '',
    'inline-policy': '',
    'permissions-boundary': '',
    tags: '',
    'create-service-account': 'true',
    'install-agent': 'true',
    audience: 'sts.amazonaws.com',
    'scope-trust': 'false',
    'restart-workloads': 'false',
    'dry-run': 'false',
    kubeconfig: '',
    'wait-timeout': '600',
};
const INPUT_NAMES = Object.keys(INPUT_DEFAULTS);
const OUTPUT_NAMES = (/* unused pure expression or super */ null && ([
    'role-arn',
    'association-id',
    'association-arn',
    'oidc-provider-arn',
    'changed',
    'changes',
]));

;// CONCATENATED MODULE: ./build/inputs/parse.js
// Reads every input once, validates all of them, and returns one frozen Config.
// Every problem is collected so the user sees all of them at once; nothing is called before they pass.






class InvalidInputs extends Error {
    problems;
    constructor(problems) {
        super(problems.length === 1
            ? problems[0].message
            : `${problems.length} inputs are invalid: ${problems.map((p) => p.message).join(' ')}`);
        this.problems = problems;
    }
}
function parseInputs(read, { env = process.env, readFile, fileExists = external_node_fs_.existsSync } = {}) {
    const problems = [];
    const raw = (name) => {
        const given = read(name)?.trim();
        return given ? given : (INPUT_DEFAULTS[name] ?? '');
    };
    /** Runs one validator; on failure records the problem and yields undefined. */
    const check = (fn) => {
        try {
            return fn();
        }
        catch (e) {
            if (e instanceof InputError)
                problems.push(e);
            else
                throw e;
            return undefined;
        }
    };
    const required = (name, what) => {
        const value = raw(name);
        if (!value)
            problems.push(new InputError(name, `is required: ${what}.`));
        return value || undefined;
    };
    const clusterName = check(() => required('cluster-name', "give the EKS cluster's name") && validate_clusterName(raw('cluster-name')));
    const regionRaw = raw('aws-region') || env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || '';
    const region = check(() => {
        if (!regionRaw)
            throw new InputError('aws-region', 'is required: set it, or AWS_REGION / AWS_DEFAULT_REGION, to the cluster\'s region.');
        return validate_region(regionRaw);
    });
    const partition = region ? (0,build_arn/* partitionOfRegion */.cn)(region) : undefined;
    if (region && !partition)
        problems.push(new InputError('aws-region', `is in an AWS partition eks-pod-iam does not support (${region}); aws, aws-cn and aws-us-gov are supported.`));
    const mode = check(() => validate_mode(raw('mode')));
    const namespace = check(() => validate_namespace(raw('namespace')));
    const serviceAccount = check(() => required('service-account', 'give the Kubernetes service account name') && validate_serviceAccount(raw('service-account')));
    const role = check(() => roleRef(raw('role-name'), raw('role-arn'), partition));
    const policyArns = check(() => validate_policyArns(raw('policy-arns'), partition));
    const inline = raw('inline-policy') ? check(() => inlinePolicy(raw('inline-policy'), readFile)) : undefined;
    const boundary = raw('permissions-boundary') ? check(() => permissionsBoundary(raw('permissions-boundary'), partition)) : undefined;
    const tags = check(() => validate_tags(raw('tags')));
    const bool = (name) => check(() => validate_boolean(name, raw(name)));
    const createServiceAccount = bool('create-service-account');
    const installAgent = bool('install-agent');
    const scopeTrust = bool('scope-trust');
    const restartWorkloads = bool('restart-workloads');
    const dryRun = bool('dry-run');
    const audience = check(() => validate_audience(raw('audience')));
    const waitTimeoutSeconds = check(() => waitTimeout(raw('wait-timeout')));
    const kube = check(() => kubeAccess(raw('kubeconfig') || env.KUBECONFIG?.trim() || '', fileExists, !!raw('kubeconfig')));
    if (problems.length > 0)
        throw new InvalidInputs(problems);
    const warnings = [];
    if (mode === 'irsa' && scopeTrust)
        warnings.push('Input "scope-trust" applies to pod-identity mode only; it is ignored in irsa mode.');
    if (mode === 'pod-identity' && audience !== INPUT_DEFAULTS.audience)
        warnings.push('Input "audience" applies to irsa mode only; it is ignored in pod-identity mode.');
    if (role?.kind === 'arn' && boundary)
        warnings.push('Input "permissions-boundary" applies only to a role eks-pod-iam creates; the role given by "role-arn" is left as it is.');
    const config = {
        clusterName: clusterName,
        region: region,
        partition: partition,
        mode: mode,
        namespace: namespace,
        serviceAccount: serviceAccount,
        role: role,
        policyArns: policyArns,
        inlinePolicy: inline,
        permissionsBoundary: boundary,
        tags: tags,
        createServiceAccount: createServiceAccount,
        installAgent: installAgent,
        audience: audience,
        scopeTrust: scopeTrust,
        restartWorkloads: restartWorkloads,
        dryRun: dryRun,
        kube: kube,
        waitTimeoutSeconds: waitTimeoutSeconds,
    };
    return { config: deepFreeze(config), warnings };
}
function roleRef(name, arn, partition) {
    if (name && arn)
        throw new InputError('role-name', 'and "role-arn" were both given: give exactly one (role-name to create or update a role, role-arn to use an existing one).');
    if (arn) {
        const parsed = roleArnInput(arn, partition);
        return { kind: 'arn', arn, name: parsed.name, path: parsed.path, accountId: parsed.accountId };
    }
    if (!name)
        throw new InputError('role-name', 'is required unless "role-arn" is given: name the IAM role to create or update.');
    return { kind: 'name', name: roleName(name) };
}
function kubeAccess(value, fileExists, fromInput) {
    if (!value)
        return { kind: 'eks' };
    // A kubeconfig's text (e.g. from a secret) rather than a path.
    if (value.includes('\n') || /^apiVersion\s*:/.test(value))
        return { kind: 'kubeconfig-text', text: value };
    // KUBECONFIG may list several files; client-node reads the first that exists.
    const paths = fromInput ? [value] : value.split(':').filter(Boolean);
    const found = paths.find((p) => fileExists(p));
    if (!found) {
        const from = fromInput ? '' : '(from KUBECONFIG) ';
        throw new InputError('kubeconfig', `${from}points at ${JSON.stringify(value)}, which does not exist; give a kubeconfig path or its content, or leave it empty to use DescribeCluster and an EKS token.`);
    }
    return { kind: 'kubeconfig-file', path: found };
}
function deepFreeze(o) {
    if (o && typeof o === 'object' && !Object.isFrozen(o)) {
        Object.freeze(o);
        for (const value of Object.values(o))
            deepFreeze(value);
    }
    return o;
}

;// CONCATENATED MODULE: ./build/platform/cli.js
// Terminal shell: `eks-pod-iam --cluster-name x --service-account y ...`.
// Logs go to stderr and outputs to stdout as name=value lines, so the output can be piped.


const BOOLEAN_INPUTS = new Set(INPUT_NAMES.filter((n) => INPUT_DEFAULTS[n] === 'true' || INPUT_DEFAULTS[n] === 'false'));
class UsageError extends Error {
}
/** Parses `--name value`, `--name=value` and bare boolean flags (`--dry-run`). */
function parseArgs(argv) {
    const values = new Map();
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
        if (!m)
            throw new UsageError(`Unexpected argument ${JSON.stringify(arg)}: options look like --cluster-name my-cluster (see --help).`);
        const name = m[1];
        if (!INPUT_NAMES.includes(name))
            throw new UsageError(`Unknown option --${m[1]} (see --help for the inputs).`);
        let value = m[2];
        if (value === undefined) {
            const next = argv[i + 1];
            if (BOOLEAN_INPUTS.has(name) && (next === undefined || next.startsWith('--')))
                value = 'true';
            else if (next === undefined)
                throw new InputError(name, 'needs a value after --' + name + '.');
            else
                value = argv[++i];
        }
        values.set(name, values.has(name) && name === 'policy-arns' ? `${values.get(name)}\n${value}` : value);
    }
    return values;
}
function usage() {
    const lines = INPUT_NAMES.map((n) => `  --${n}${INPUT_DEFAULTS[n] === undefined ? ' (required)' : INPUT_DEFAULTS[n] ? ` (default: ${INPUT_DEFAULTS[n]})` : ''}`);
    return ['Usage: eks-pod-iam --cluster-name NAME --service-account NAME (--role-name NAME | --role-arn ARN) [options]', '', 'Options (the action inputs):', ...lines, ''].join('\n');
}
function cliPlatform(argv) {
    const err = (m) => process.stderr.write(`${m}\n`);
    const values = parseArgs(argv);
    return {
        name: 'cli',
        readInput: (name) => values.get(name),
        log: {
            info: err,
            warn: (m) => err(`warning: ${m}`),
            notice: (m) => err(`* ${m}`),
            debug: (m) => {
                if (process.env.EKS_POD_IAM_DEBUG === 'true')
                    err(`debug: ${m}`);
            },
            async group(title, fn) {
                err(`== ${title}`);
                return fn();
            },
        },
        setOutputs(outputs) {
            for (const [name, value] of Object.entries(outputs))
                if (value !== undefined)
                    process.stdout.write(`${name}=${value}\n`);
        },
        async writeSummary() {
            // The log already says everything in a terminal.
        },
        fail(message) {
            err(`error: ${message}`);
            process.exitCode = 1;
        },
    };
}

;// CONCATENATED MODULE: ./build/platform/github.js
/** @actions/core (with its HTTP client) is loaded only on GitHub, keeping the CLI's start fast. */
async function githubPlatform() {
    const core = await __nccwpck_require__.e(/* import() */ 421).then(__nccwpck_require__.bind(__nccwpck_require__, 6421));
    return {
        name: 'github',
        readInput: (name) => core.getInput(name),
        log: {
            info: (m) => core.info(m),
            warn: (m) => core.warning(m),
            notice: (m) => core.info(m),
            debug: (m) => core.debug(m),
            group: (title, fn) => core.group(title, fn),
        },
        setOutputs(outputs) {
            for (const [name, value] of Object.entries(outputs))
                if (value !== undefined)
                    core.setOutput(name, value);
        },
        async writeSummary(markdown) {
            // Outside a runner there is no summary file; that is not a failure of the run.
            if (!process.env.GITHUB_STEP_SUMMARY)
                return;
            await core.summary.addRaw(markdown, true).write();
        },
        fail: (message) => core.setFailed(message),
    };
}

;// CONCATENATED MODULE: ./build/platform/octopus.js
const b64 = (s) => Buffer.from(s, 'utf8').toString('base64');
const say = (line) => process.stdout.write(`${line}\n`);
function serviceMessage(name, attrs) {
    const body = Object.entries(attrs).map(([k, v]) => `${k}='${b64(v)}'`).join(' ');
    return `##octopus[${name} ${body}]`;
}
function octopusPlatform(env = process.env) {
    return {
        name: 'octopus',
        readInput: (name) => env[`INPUT_${name.toUpperCase()}`],
        log: {
            info: say,
            warn: (m) => say(`##octopus[stdout-warning]\n${m}\n##octopus[stdout-default]`),
            notice: (m) => say(`##octopus[stdout-highlight]\n${m}\n##octopus[stdout-default]`),
            debug: (m) => {
                if (env.EKS_POD_IAM_DEBUG === 'true')
                    say(`##octopus[stdout-verbose]\n${m}\n##octopus[stdout-default]`);
            },
            async group(title, fn) {
                say(`== ${title}`);
                return fn();
            },
        },
        setOutputs(outputs) {
            for (const [name, value] of Object.entries(outputs))
                if (value !== undefined)
                    say(serviceMessage('setVariable', { name, value }));
        },
        async writeSummary(markdown) {
            say(markdown);
        },
        fail(message) {
            say(serviceMessage('resultMessage', { message }));
            process.exitCode = 1;
        },
    };
}

;// CONCATENATED MODULE: ./build/platform/select.js



/**
 * Octopus when its step template says so; the CLI when given arguments; GitHub Actions otherwise
 * (the runner passes inputs as INPUT_* variables and no arguments).
 */
async function selectPlatform(argv, env) {
    if (env.EKS_POD_IAM_PLATFORM === 'octopus')
        return octopusPlatform(env);
    if (env.EKS_POD_IAM_PLATFORM === 'github' || argv.length === 0)
        return await githubPlatform();
    if (argv.includes('--help') || argv.includes('-h'))
        return { help: usage() };
    try {
        return cliPlatform(argv);
    }
    catch (e) {
        return e instanceof UsageError ? e : new UsageError(e.message);
    }
}

// EXTERNAL MODULE: ./build/errors.js
var errors = __nccwpck_require__(9473);
;// CONCATENATED MODULE: ./build/main.js



/** Runs the program in whichever host started it. Never throws: failures end through the platform. */
async function run(argv = process.argv.slice(2), env = process.env) {
    const selected = await selectPlatform(argv, env);
    if ('help' in selected) {
        process.stdout.write(selected.help);
        return;
    }
    if (selected instanceof Error) {
        process.stderr.write(`error: ${selected.message}\n`);
        process.exitCode = 2;
        return;
    }
    await runOn(selected, env);
}
async function runOn(platform, env) {
    try {
        const { config, warnings } = parseInputs(platform.readInput, { env });
        for (const w of warnings)
            platform.log.warn(w);
        // Loaded only now: the SDKs are most of the bundle, and bad input should fail fast without them.
        const { reconcile } = await Promise.all(/* import() */[__nccwpck_require__.e(539), __nccwpck_require__.e(775)]).then(__nccwpck_require__.bind(__nccwpck_require__, 3775));
        const result = await reconcile(config, platform.log, env);
        platform.setOutputs(result.outputs);
        await platform.writeSummary(result.summary);
    }
    catch (e) {
        if (e instanceof InvalidInputs && e.problems.length > 1)
            for (const p of e.problems)
                platform.log.info(`  - ${p.message}`);
        platform.fail((0,errors/* oneLine */.T)(e));
    }
}


/***/ }),

/***/ 959:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   C_: () => (/* binding */ TAG_PREFIX),
/* harmony export */   N2: () => (/* binding */ MANAGED_TAG),
/* harmony export */   NT: () => (/* binding */ INLINE_POLICY_NAME),
/* harmony export */   WB: () => (/* binding */ CLUSTER_TAG),
/* harmony export */   dt: () => (/* binding */ ownershipTags),
/* harmony export */   fT: () => (/* binding */ OWNERSHIP_TAG_COUNT)
/* harmony export */ });
/* unused harmony exports NAMESPACE_TAG, SERVICE_ACCOUNT_TAG */
// Tags that mark what eks-pod-iam created, so owned and adopted roles can be told apart
// (only owned roles may ever lose something eks-pod-iam put there).
const TAG_PREFIX = 'eks-pod-iam:';
const MANAGED_TAG = `${TAG_PREFIX}managed`;
const CLUSTER_TAG = `${TAG_PREFIX}cluster`;
const NAMESPACE_TAG = `${TAG_PREFIX}namespace`;
const SERVICE_ACCOUNT_TAG = `${TAG_PREFIX}service-account`;
/** The tags put on a role eks-pod-iam creates, besides the user's own. */
function ownershipTags(cluster, namespace, serviceAccount) {
    return {
        [MANAGED_TAG]: 'true',
        [CLUSTER_TAG]: cluster,
        [NAMESPACE_TAG]: namespace,
        [SERVICE_ACCOUNT_TAG]: serviceAccount,
    };
}
const OWNERSHIP_TAG_COUNT = 4;
/** Name of the inline policy that carries the `inline-policy` input. */
const INLINE_POLICY_NAME = 'eks-pod-iam';


/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId].call(module.exports, module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/create fake namespace object */
/******/ (() => {
/******/ 	var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 	var leafPrototypes;
/******/ 	// create a fake namespace object
/******/ 	// mode & 1: value is a module id, require it
/******/ 	// mode & 2: merge all properties of value into the ns
/******/ 	// mode & 4: return value when already ns object
/******/ 	// mode & 16: return value when it's Promise-like
/******/ 	// mode & 8|1: behave like require
/******/ 	__nccwpck_require__.t = function(value, mode) {
/******/ 		if(mode & 1) value = this(value);
/******/ 		if(mode & 8) return value;
/******/ 		if(typeof value === 'object' && value) {
/******/ 			if((mode & 4) && value.__esModule) return value;
/******/ 			if((mode & 16) && typeof value.then === 'function') return value;
/******/ 		}
/******/ 		var ns = Object.create(null);
/******/ 		__nccwpck_require__.r(ns);
/******/ 		var def = {};
/******/ 		leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 		for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 			Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 		}
/******/ 		def['default'] = () => (value);
/******/ 		__nccwpck_require__.d(ns, def);
/******/ 		return ns;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".index.js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(1296);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 
