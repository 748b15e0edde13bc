export const id = 775;
export const ids = [775];
export const modules = {

/***/ 3775:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  reconcile: () => (/* binding */ reconcile)
});

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-eks/dist-cjs/index.js
var dist_cjs = __webpack_require__(4524);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-iam/dist-cjs/index.js
var client_iam_dist_cjs = __webpack_require__(6764);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-sts/dist-cjs/index.js
var client_sts_dist_cjs = __webpack_require__(1695);
;// CONCATENATED MODULE: ./build/aws/clients.js
// The SDK clients. Endpoints (AWS_ENDPOINT_URL*), credentials and retries come from the SDK itself:
// the default credential chain, the standard endpoint variables, and the adaptive retry strategy
// (throttling and 5xx are retried there, not in home-made loops).



/** Generous because a bootstrap pipeline would rather wait than fail on a throttled account. */
const MAX_ATTEMPTS = 10;
function createClients(region) {
    const common = { region, retryMode: 'adaptive', maxAttempts: MAX_ATTEMPTS, customUserAgent: 'eks-pod-iam' };
    return { iam: new client_iam_dist_cjs/* IAMClient */.h8v(common), eks: new dist_cjs/* EKSClient */.JQJ(common), sts: new client_sts_dist_cjs/* STSClient */.iM(common), region };
}
function destroyClients(c) {
    c.iam.destroy();
    c.eks.destroy();
    c.sts.destroy();
}
/** The error's name, as the SDK sets it from the service's error code. */
const errorName = (e) => e?.name ?? '';

;// CONCATENATED MODULE: ./build/aws/eks.js
// Thin adapter over EKS: cluster, the pod identity agent add-on and pod identity associations.


async function describeCluster(eks, name) {
    try {
        return (await eks.send(new dist_cjs/* DescribeClusterCommand */.hV5({ name }))).cluster ?? null;
    }
    catch (e) {
        if (errorName(e) === 'ResourceNotFoundException')
            return null;
        throw e;
    }
}
async function describeAddon(eks, clusterName, addonName) {
    try {
        const { addon } = await eks.send(new dist_cjs/* DescribeAddonCommand */.BFv({ clusterName, addonName }));
        return { status: addon?.status ?? 'UNKNOWN', version: addon?.addonVersion, healthIssues: addon?.health?.issues ?? [] };
    }
    catch (e) {
        if (errorName(e) === 'ResourceNotFoundException')
            return null;
        throw e;
    }
}
/** Creates the add-on; one created concurrently by someone else is just as good. */
async function createAddon(eks, clusterName, addonName) {
    try {
        await eks.send(new dist_cjs/* CreateAddonCommand */.Kdw({ clusterName, addonName }));
    }
    catch (e) {
        if (errorName(e) !== 'ResourceInUseException')
            throw e;
    }
}
/** The SDK waiter; resolves when ACTIVE, throws with the waiter's reason otherwise. */
async function waitAddonActive(eks, clusterName, addonName, maxWaitTime, minDelay, maxDelay) {
    await (0,dist_cjs/* waitUntilAddonActive */.kHM)({ client: eks, maxWaitTime, minDelay, maxDelay }, { clusterName, addonName });
}
/** All associations of one namespace/service account, described (the list has no role ARN). */
async function readAssociations(eks, clusterName, namespace, serviceAccount) {
    const ids = [];
    for await (const page of (0,dist_cjs/* paginateListPodIdentityAssociations */.Hxv)({ client: eks }, { clusterName, namespace, serviceAccount }))
        for (const a of page.associations ?? [])
            if (a.associationId)
                ids.push(a.associationId);
    return Promise.all(ids.map((id) => describeAssociation(eks, clusterName, id)));
}
async function describeAssociation(eks, clusterName, associationId) {
    const { association: a } = await eks.send(new dist_cjs/* DescribePodIdentityAssociationCommand */.$tu({ clusterName, associationId }));
    return {
        associationId: a.associationId,
        associationArn: a.associationArn,
        roleArn: a.roleArn,
        targetRoleArn: a.targetRoleArn || undefined,
        disableSessionTags: a.disableSessionTags ?? false,
        ownerArn: a.ownerArn || undefined,
        tags: a.tags ?? {},
    };
}
async function createAssociation(eks, p) {
    const { association: a } = await eks.send(new dist_cjs/* CreatePodIdentityAssociationCommand */.FHt({
        ...p,
        tags: Object.keys(p.tags).length ? p.tags : undefined,
    }));
    return { associationId: a.associationId, associationArn: a.associationArn };
}
async function updateAssociation(eks, p) {
    const { association: a } = await eks.send(new dist_cjs/* UpdatePodIdentityAssociationCommand */.Tr6({
        clusterName: p.clusterName,
        associationId: p.associationId,
        roleArn: p.roleArn,
        // EKS clears a target role when given an empty string.
        targetRoleArn: p.clearTargetRole ? '' : undefined,
        disableSessionTags: p.enableSessionTags ? false : undefined,
    }));
    return { associationId: a.associationId, associationArn: a.associationArn };
}
const tagResource = (eks, resourceArn, tags) => eks.send(new dist_cjs/* TagResourceCommand */.eqU({ resourceArn, tags }));

;// CONCATENATED MODULE: ./build/aws/iam.js
// Thin adapter over IAM: observe the role and OIDC provider, and the writes a plan asks for.


const toTags = (tags) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
const json = (doc) => JSON.stringify(doc);
async function orNull(p) {
    try {
        return await p;
    }
    catch (e) {
        if (errorName(e) === 'NoSuchEntityException' || errorName(e) === 'NoSuchEntity')
            return null;
        throw e;
    }
}
/** The role with what the plan needs of it; null when it does not exist. */
async function readRole(iam, name, opts) {
    const got = await orNull(iam.send(new client_iam_dist_cjs/* GetRoleCommand */.kbp({ RoleName: name })));
    const role = got?.Role;
    if (!role)
        return null;
    const [attached, inline] = await Promise.all([
        opts.policies ? listAttached(iam, name) : Promise.resolve([]),
        opts.inlinePolicyName ? orNull(iam.send(new client_iam_dist_cjs/* GetRolePolicyCommand */.WHQ({ RoleName: name, PolicyName: opts.inlinePolicyName }))) : Promise.resolve(null),
    ]);
    return {
        arn: role.Arn,
        name: role.RoleName,
        path: role.Path ?? '/',
        trust: role.AssumeRolePolicyDocument ?? '{"Statement":[]}',
        tags: Object.fromEntries((role.Tags ?? []).map((t) => [t.Key, t.Value ?? ''])),
        permissionsBoundaryArn: role.PermissionsBoundary?.PermissionsBoundaryArn,
        attachedPolicyArns: attached,
        inlinePolicy: inline?.PolicyDocument,
    };
}
async function listAttached(iam, name) {
    const arns = [];
    for await (const page of (0,client_iam_dist_cjs/* paginateListAttachedRolePolicies */.mpN)({ client: iam }, { RoleName: name }))
        for (const p of page.AttachedPolicies ?? [])
            if (p.PolicyArn)
                arns.push(p.PolicyArn);
    return arns;
}
async function createRole(iam, op) {
    const out = await iam.send(new client_iam_dist_cjs/* CreateRoleCommand */.IS({
        RoleName: op.name,
        AssumeRolePolicyDocument: json(op.trust),
        Description: op.description.slice(0, 1000),
        PermissionsBoundary: op.boundary,
        Tags: toTags(op.tags),
    }));
    return out.Role.Arn;
}
const updateTrust = (iam, roleName, trust) => iam.send(new client_iam_dist_cjs/* UpdateAssumeRolePolicyCommand */.tuH({ RoleName: roleName, PolicyDocument: json(trust) }));
const tagRole = (iam, roleName, tags) => iam.send(new client_iam_dist_cjs/* TagRoleCommand */.Wcv({ RoleName: roleName, Tags: toTags(tags) }));
const putBoundary = (iam, roleName, boundary) => iam.send(new client_iam_dist_cjs/* PutRolePermissionsBoundaryCommand */.fly({ RoleName: roleName, PermissionsBoundary: boundary }));
const attachPolicy = (iam, roleName, policyArn) => iam.send(new client_iam_dist_cjs/* AttachRolePolicyCommand */.XgU({ RoleName: roleName, PolicyArn: policyArn }));
const putInlinePolicy = (iam, roleName, policyName, doc) => iam.send(new client_iam_dist_cjs/* PutRolePolicyCommand */.pMt({ RoleName: roleName, PolicyName: policyName, PolicyDocument: json(doc) }));
async function readOidcProvider(iam, arn) {
    const got = await orNull(iam.send(new client_iam_dist_cjs/* GetOpenIDConnectProviderCommand */.cCT({ OpenIDConnectProviderArn: arn })));
    return got ? { arn, clientIds: got.ClientIDList ?? [] } : null;
}
/** Creates the provider; one created concurrently by someone else is just as good. */
async function createOidcProvider(iam, url, clientId, tags) {
    try {
        await iam.send(new client_iam_dist_cjs/* CreateOpenIDConnectProviderCommand */.QJe({ Url: url, ClientIDList: [clientId], Tags: toTags(tags) }));
    }
    catch (e) {
        if (errorName(e) !== 'EntityAlreadyExistsException' && errorName(e) !== 'EntityAlreadyExists')
            throw e;
    }
}
const addClientId = (iam, providerArn, clientId) => iam.send(new client_iam_dist_cjs/* AddClientIDToOpenIDConnectProviderCommand */.gST({ OpenIDConnectProviderArn: providerArn, ClientID: clientId }));
/** The account's limit on a trust policy's size, in bytes without whitespace. */
async function trustPolicyQuota(iam) {
    const out = await iam.send(new client_iam_dist_cjs/* GetAccountSummaryCommand */.zod({}));
    return out.SummaryMap?.AssumeRolePolicySizeQuota;
}

;// CONCATENATED MODULE: ./build/apply/ops.js



async function applyOp(op, ctx) {
    const { config, aws } = ctx;
    switch (op.kind) {
        case 'create-role':
            return void (await createRole(aws.iam, op));
        case 'update-trust':
            return void (await updateTrust(aws.iam, op.roleName, op.trust));
        case 'tag-role':
            return void (await tagRole(aws.iam, op.roleName, op.tags));
        case 'put-boundary':
            return void (await putBoundary(aws.iam, op.roleName, op.boundary));
        case 'attach-policy':
            return void (await attachPolicy(aws.iam, op.roleName, op.policyArn));
        case 'put-inline-policy':
            return void (await putInlinePolicy(aws.iam, op.roleName, op.policyName, op.document));
        case 'create-oidc-provider':
            return createOidcProvider(aws.iam, op.url, op.clientId, op.tags);
        case 'add-client-id':
            return void (await addClientId(aws.iam, op.providerArn, op.clientId));
        case 'create-addon':
            return createAddon(aws.eks, config.clusterName, op.addonName);
        case 'create-association':
            ctx.result.association = await ops_createAssociation(op.roleArn, op.tags, ctx);
            return;
        case 'update-association':
            ctx.result.association = await whileRoleIsNew(ctx, () => updateAssociation(aws.eks, { clusterName: config.clusterName, ...op }));
            return;
        case 'tag-association':
            return void (await tagResource(aws.eks, op.associationArn, op.tags));
        case 'create-namespace':
        case 'create-service-account':
        case 'annotate-service-account':
            return applyKubeOp(op, ctx);
    }
}
async function applyKubeOp(op, ctx) {
    const { kube, config } = ctx;
    if (!kube)
        throw new Error('Kubernetes access is needed for this change but was not set up.');
    const k8s = await Promise.all(/* import() */[__webpack_require__.e(154), __webpack_require__.e(861)]).then(__webpack_require__.bind(__webpack_require__, 7861)); // already loaded by observe
    if (op.kind === 'create-namespace')
        return k8s.createNamespace(kube, op.name);
    if (op.kind === 'create-service-account')
        return k8s.createServiceAccount(kube, config.namespace, config.serviceAccount, op.annotations);
    return k8s.annotateServiceAccount(kube, config.namespace, config.serviceAccount, op.annotations);
}
/** Create; when another run created it first (409), update that one instead. */
async function ops_createAssociation(roleArn, tags, ctx) {
    const { config, aws } = ctx;
    try {
        return await whileRoleIsNew(ctx, () => createAssociation(aws.eks, { clusterName: config.clusterName, namespace: config.namespace, serviceAccount: config.serviceAccount, roleArn, tags }));
    }
    catch (e) {
        if (errorName(e) !== 'ResourceInUseException')
            throw e;
        ctx.log.info(`Association for ${config.namespace}/${config.serviceAccount} was created concurrently; updating it instead.`);
        const [current] = await readAssociations(aws.eks, config.clusterName, config.namespace, config.serviceAccount);
        if (!current)
            throw e;
        if (current.roleArn === roleArn)
            return current;
        return whileRoleIsNew(ctx, () => updateAssociation(aws.eks, { clusterName: config.clusterName, associationId: current.associationId, roleArn, clearTargetRole: false, enableSessionTags: false }));
    }
}
/** IAM is eventually consistent: EKS may refuse a role created seconds ago. Retry, bounded. */
const ROLE_PROPAGATION_DELAYS_MS = [1000, 2000, 3000, 5000, 8000, 10000, 10000];
async function whileRoleIsNew(ctx, fn) {
    for (let attempt = 0;; attempt++) {
        try {
            return await fn();
        }
        catch (e) {
            const delay = ROLE_PROPAGATION_DELAYS_MS[attempt];
            if (errorName(e) !== 'InvalidParameterException' || !/role/i.test(e.message) || delay === undefined)
                throw e;
            ctx.log.info(`EKS does not accept the role yet (IAM is still propagating it): retrying in ${delay / 1000}s.`);
            await new Promise((r) => setTimeout(r, delayScale() * delay));
        }
    }
}
/** Tests shrink waits with EKS_POD_IAM_TIME_SCALE (e.g. 0.01); a user never needs it. */
const delayScale = () => {
    const s = Number(process.env.EKS_POD_IAM_TIME_SCALE);
    return Number.isFinite(s) && s > 0 ? s : 1;
};

;// CONCATENATED MODULE: ./build/apply/run-graph.js
async function runGraph(changes, runOne) {
    const ids = new Set(changes.map((c) => c.id));
    const started = new Map();
    let failed = false;
    const start = (c) => {
        let p = started.get(c.id);
        if (!p) {
            // A dependency that is not in the plan (nothing to change there) is already satisfied.
            const deps = c.after.filter((id) => ids.has(id)).map((id) => start(changes.find((d) => d.id === id)));
            p = Promise.all(deps).then(() => {
                if (failed)
                    throw new Skipped();
                return runOne(c);
            });
            p.catch((e) => {
                if (!(e instanceof Skipped))
                    failed = true;
            });
            started.set(c.id, p);
        }
        return p;
    };
    const results = await Promise.allSettled(changes.map(start));
    const failure = results.find((r) => r.status === 'rejected' && !(r.reason instanceof Skipped));
    if (failure)
        throw failure.reason;
}
class Skipped extends Error {
}

// EXTERNAL MODULE: ./build/errors.js
var errors = __webpack_require__(9473);
;// CONCATENATED MODULE: ./build/aws/sts.js

async function callerAccount(sts) {
    const out = await sts.send(new client_sts_dist_cjs/* GetCallerIdentityCommand */.zI({}));
    return out.Account;
}

// EXTERNAL MODULE: ./node_modules/@smithy/signature-v4/dist-cjs/index.js
var signature_v4_dist_cjs = __webpack_require__(5118);
;// CONCATENATED MODULE: ./build/aws/token.js
// The bearer token EKS accepts for its Kubernetes API, made in-process as `aws eks get-token` makes it:
// a SigV4-presigned STS GetCallerIdentity URL with the signed header x-k8s-aws-id: <cluster>.
// It is a credential: it is never logged.

const PRESIGN_SECONDS = 60;
/** STS host for the token: the standard endpoint overrides first, else the region's own STS. */
function stsEndpoint(region, env) {
    const override = env.AWS_ENDPOINT_URL_STS || env.AWS_ENDPOINT_URL;
    if (override)
        return new URL(override);
    return new URL(`https://sts.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}/`);
}
async function eksToken(sts, clusterName, region, env = process.env) {
    const url = stsEndpoint(region, env);
    const signer = new signature_v4_dist_cjs.SignatureV4({
        credentials: sts.config.credentials,
        region,
        service: 'sts',
        sha256: sts.config.sha256,
        uriEscapePath: true,
    });
    const request = {
        method: 'GET',
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname || '/',
        query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
        headers: { host: url.host, 'x-k8s-aws-id': clusterName },
    };
    const signed = await signer.presign(request, { expiresIn: PRESIGN_SECONDS });
    const query = Object.entries(signed.query ?? {})
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
        .join('&');
    const presigned = `${url.protocol}//${url.host}${signed.path}?${query}`;
    return `k8s-aws-v1.${Buffer.from(presigned, 'utf8').toString('base64url')}`;
}

// EXTERNAL MODULE: ./build/arn.js
var arn = __webpack_require__(1635);
;// CONCATENATED MODULE: ./build/plan/changes.js
/** The observed state cannot be brought to the desired one (e.g. an add-on owns the association). */
class PlanError extends Error {
}
function change(id, resource, action, detail, after, op) {
    return { id, resource, action, detail, after: [...after], op };
}
/** The plan being built: changes in order, plus warnings for the user. */
class ChangeList {
    changes = [];
    warnings = [];
    push(c) {
        this.changes.push(c);
    }
    warn(message) {
        this.warnings.push(message);
    }
}

// EXTERNAL MODULE: ./build/plan/ownership.js
var ownership = __webpack_require__(959);
;// CONCATENATED MODULE: ./build/plan/irsa.js


const OIDC_PROVIDER = 'oidc-provider';
/** Returns the ids of the changes the role must wait for (IAM rejects a trust naming a missing provider). */
function planOidcProvider(config, issuer, providerArn, provider, out) {
    if (!provider) {
        out.push(change(OIDC_PROVIDER, 'iam-oidc-provider', 'create', `create OIDC provider ${providerArn} with client ID ${config.audience}`, [], {
            kind: 'create-oidc-provider',
            url: issuer,
            clientId: config.audience,
            tags: { [ownership/* MANAGED_TAG */.N2]: 'true', [ownership/* CLUSTER_TAG */.WB]: config.clusterName },
        }));
        return [OIDC_PROVIDER];
    }
    if (!provider.clientIds.includes(config.audience)) {
        out.push(change(OIDC_PROVIDER, 'iam-oidc-provider', 'add-client-id', `add client ID ${config.audience} to ${providerArn}`, [], {
            kind: 'add-client-id',
            providerArn,
            clientId: config.audience,
        }));
        return [OIDC_PROVIDER];
    }
    return [];
}

;// CONCATENATED MODULE: ./build/plan/pod-identity.js

const AGENT_ADDON = 'eks-pod-identity-agent';
const FAILED = new Set(['CREATE_FAILED', 'DEGRADED', 'UPDATE_FAILED', 'DELETE_FAILED']);
/** Returns whether the run must wait for the add-on to become ACTIVE. */
function planAddon(config, addon, out) {
    if (!config.installAgent || addon === undefined)
        return false;
    if (addon === null) {
        out.push(change('addon', 'eks-addon', 'create', `install add-on ${AGENT_ADDON} in cluster ${config.clusterName}`, [], { kind: 'create-addon', addonName: AGENT_ADDON }));
        return true;
    }
    if (addon.status === 'ACTIVE')
        return false;
    if (addon.status === 'CREATING' || addon.status === 'UPDATING')
        return true;
    if (FAILED.has(addon.status))
        throw new PlanError(addonFailure(config.clusterName, addon));
    throw new PlanError(`Add-on ${AGENT_ADDON} in cluster ${config.clusterName} is ${addon.status}; rerun once it has settled.`);
}
function addonFailure(cluster, addon) {
    const issues = addon.healthIssues.map((i) => `${i.code ?? 'issue'}: ${i.message ?? ''}`.trim()).join('; ');
    return `Add-on ${AGENT_ADDON} in cluster ${cluster} is ${addon.status}${issues ? ` (${issues})` : ''}; fix it in the EKS console or with aws eks update-addon, then rerun.`;
}
function planAssociation(config, roleArn, existing, after, out) {
    const who = `${config.namespace}/${config.serviceAccount}`;
    const current = existing[0];
    if (!current) {
        out.push(change('association', 'pod-identity-association', 'create', `associate ${who} with ${roleArn}`, after, { kind: 'create-association', roleArn, tags: { ...config.tags } }));
        return;
    }
    if (current.ownerArn)
        throw new PlanError(`The pod identity association ${current.associationId} for ${who} is owned by ${current.ownerArn} (an add-on); change it through that add-on, not eks-pod-iam.`);
    const clearTargetRole = !!current.targetRoleArn;
    const enableSessionTags = current.disableSessionTags;
    if (current.roleArn !== roleArn || clearTargetRole || enableSessionTags) {
        const what = [
            current.roleArn !== roleArn ? `role ${current.roleArn} → ${roleArn}` : '',
            clearTargetRole ? `clear target role ${current.targetRoleArn}` : '',
            enableSessionTags ? 'enable session tags' : '',
        ].filter(Boolean);
        out.push(change('association', 'pod-identity-association', 'update', `update ${current.associationId} for ${who}: ${what.join(', ')}`, after, {
            kind: 'update-association',
            associationId: current.associationId,
            roleArn,
            clearTargetRole,
            enableSessionTags,
        }));
    }
    const tagChanges = Object.fromEntries(Object.entries(config.tags).filter(([k, v]) => current.tags[k] !== v));
    if (Object.keys(tagChanges).length > 0)
        out.push(change('association-tags', 'pod-identity-association', 'tag', `tag ${current.associationId} with ${Object.keys(tagChanges).join(', ')}`, [], {
            kind: 'tag-association',
            associationArn: current.associationArn,
            tags: tagChanges,
        }));
}

;// CONCATENATED MODULE: ./build/plan/policy-doc.js
/** Parses a policy as IAM returns it (URL-encoded JSON), as JSON text, or passes an object through. */
function parsePolicy(doc) {
    if (typeof doc !== 'string')
        return doc;
    const text = doc.trimStart().startsWith('{') ? doc : decodeURIComponent(doc);
    return JSON.parse(text);
}
function statementsOf(doc) {
    const s = doc.Statement;
    return (Array.isArray(s) ? s : s === undefined ? [] : [s]);
}
/** A string or list of strings as a sorted, de-duplicated list. */
function asList(v) {
    const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
    return [...new Set(list.map(String))].sort();
}
/**
 * Canonical form: statements in a stable order, Sid kept, every string-or-list as a sorted list,
 * object keys sorted. Two documents mean the same when their canonical forms are equal.
 */
function canonical(value, key = '') {
    if (Array.isArray(value) || (typeof value === 'string' && LIST_KEYS.has(key))) {
        const items = (Array.isArray(value) ? value : [value]).map((v) => canonical(v));
        const unique = new Map(items.map((v) => [JSON.stringify(v), v]));
        return [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
    }
    if (value && typeof value === 'object') {
        const out = {};
        for (const k of Object.keys(value).sort())
            out[k] = canonical(value[k], k);
        return out;
    }
    return value;
}
// Keys whose value may be a string or a list with the same meaning. Condition values and
// principals are handled by the generic rule: inside a Condition operator and a Principal every
// value is a string-or-list, so canonical() lists them all.
const LIST_KEYS = new Set(['Statement', 'Action', 'NotAction', 'Resource', 'NotResource']);
function canonicalDoc(doc) {
    const statements = statementsOf(doc).map((s) => {
        const c = canonical(s);
        if (s.Principal && typeof s.Principal === 'object')
            c.Principal = listValues(s.Principal);
        if (s.NotPrincipal && typeof s.NotPrincipal === 'object')
            c.NotPrincipal = listValues(s.NotPrincipal);
        if (s.Condition && typeof s.Condition === 'object') {
            const cond = {};
            for (const [op, kv] of Object.entries(s.Condition))
                cond[op] = kv && typeof kv === 'object' ? listValues(kv) : kv;
            c.Condition = canonical(cond);
        }
        return c;
    });
    return canonical({ ...doc, Version: doc.Version ?? '2008-10-17', Statement: statements });
}
function listValues(o) {
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, asList(v)]));
}
function samePolicy(a, b) {
    return JSON.stringify(canonicalDoc(parsePolicy(a))) === JSON.stringify(canonicalDoc(parsePolicy(b)));
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
;// CONCATENATED MODULE: ./build/plan/trust.js
// Trust policies are merged, never replaced. A binding (who may assume the role, with which
// request context) is added only when no statement already allows it; foreign statements are kept
// exactly; our IRSA statement gathers subjects so many service accounts share one statement.


const POD_IDENTITY_PRINCIPAL = 'pods.eks.amazonaws.com';
const POD_IDENTITY_ACTIONS = ['sts:AssumeRole', 'sts:TagSession'];
const WEB_IDENTITY_ACTION = 'sts:AssumeRoleWithWebIdentity';
const SID_PREFIX = 'EksPodIam';
function podIdentityBinding(scope) {
    return {
        principalType: 'Service',
        principal: POD_IDENTITY_PRINCIPAL,
        actions: POD_IDENTITY_ACTIONS,
        context: scope
            ? {
                'aws:RequestTag/eks-cluster-arn': scope.clusterArn,
                'aws:RequestTag/kubernetes-namespace': scope.namespace,
                'aws:RequestTag/kubernetes-service-account': scope.serviceAccount,
            }
            : {},
    };
}
function irsaBinding(providerArn, issuerHostPath, namespace, serviceAccount, audience) {
    return {
        principalType: 'Federated',
        principal: providerArn,
        actions: [WEB_IDENTITY_ACTION],
        context: {
            [`${issuerHostPath}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
            [`${issuerHostPath}:aud`]: audience,
        },
    };
}
/** Does this statement allow the binding? Conservative: anything we cannot evaluate does not. */
function allows(s, b) {
    if (s.Effect !== 'Allow' || 'NotPrincipal' in s || 'NotAction' in s)
        return false;
    const principal = s.Principal;
    if (!principal || typeof principal !== 'object' || !asList(principal[b.principalType]).includes(b.principal))
        return false;
    const actions = asList(s.Action);
    if (!b.actions.every((a) => actions.some((pattern) => globMatch(pattern, a, true))))
        return false;
    return conditionsHold(s.Condition, b.context);
}
function conditionsHold(condition, context) {
    if (condition === undefined)
        return true;
    if (!condition || typeof condition !== 'object')
        return false;
    for (const [operator, keys] of Object.entries(condition)) {
        if (!keys || typeof keys !== 'object')
            return false;
        for (const [key, expected] of Object.entries(keys)) {
            const actual = Object.entries(context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
            if (actual === undefined || !operatorHolds(operator, asList(expected), actual))
                return false;
        }
    }
    return true;
}
function operatorHolds(operator, values, actual) {
    switch (operator) {
        case 'StringEquals':
            return values.includes(actual);
        case 'StringEqualsIgnoreCase':
            return values.some((v) => v.toLowerCase() === actual.toLowerCase());
        case 'StringLike':
            return values.some((v) => globMatch(v, actual, false));
        default:
            return false;
    }
}
/** IAM wildcards: `*` any run, `?` one character. Actions compare case-insensitively. */
function globMatch(pattern, value, ignoreCase) {
    const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    return new RegExp(`^${re}$`, ignoreCase ? 'i' : '').test(value);
}
const hash8 = (s) => (0,external_node_crypto_.createHash)('sha256').update(s).digest('hex').slice(0, 8);
/** The statement we write for a binding (Sid marks it as ours). */
function statementFor(b) {
    const isIrsa = b.principalType === 'Federated';
    const hasContext = Object.keys(b.context).length > 0;
    const sid = isIrsa
        ? `${SID_PREFIX}Irsa${hash8(`${b.principal}|${audienceOf(b) ?? ''}`)}`
        : `${SID_PREFIX}PodIdentity${hasContext ? hash8(JSON.stringify(b.context)) : ''}`;
    const statement = {
        Sid: sid,
        Effect: 'Allow',
        Principal: { [b.principalType]: b.principal },
        Action: b.actions.length === 1 ? b.actions[0] : [...b.actions],
    };
    if (hasContext)
        statement.Condition = { StringEquals: { ...b.context } };
    return statement;
}
const audienceOf = (b) => Object.entries(b.context).find(([k]) => k.endsWith(':aud'))?.[1];
/**
 * Adds the binding to a trust policy. Foreign statements are kept as they are. For IRSA, our own
 * statement for the same provider and audience gains the subject; otherwise a statement is appended.
 */
function mergeTrust(existing, b) {
    const doc = parsePolicy(existing);
    const statements = statementsOf(doc);
    if (statements.some((s) => allows(s, b)))
        return { document: doc, changed: false };
    const ours = statementFor(b);
    const merged = statements.map((s) => ({ ...s }));
    const gather = b.principalType === 'Federated' ? merged.find((s) => s.Sid === ours.Sid && canGather(s, b)) : undefined;
    if (gather) {
        const equals = gather.Condition.StringEquals;
        const subKey = Object.keys(b.context).find((k) => k.endsWith(':sub'));
        equals[subKey] = [...asList(equals[subKey]), b.context[subKey]].sort();
        gather.Condition = { StringEquals: { ...equals } };
    }
    else {
        const sids = new Set(merged.map((s) => s.Sid));
        const base = String(ours.Sid);
        for (let n = 2; sids.has(ours.Sid); n++)
            ours.Sid = `${base}N${n}`;
        merged.push(ours);
    }
    return { document: { Version: '2012-10-17', ...doc, Statement: merged }, changed: true };
}
/** Our IRSA statement can take another subject only when it has exactly our shape. */
function canGather(s, b) {
    const cond = s.Condition;
    if (!cond || Object.keys(cond).length !== 1 || !cond.StringEquals)
        return false;
    const equals = cond.StringEquals;
    const keys = Object.keys(b.context);
    if (Object.keys(equals).length !== keys.length || !keys.every((k) => k in equals))
        return false;
    const audKey = keys.find((k) => k.endsWith(':aud'));
    return asList(equals[audKey]).length === 1 && asList(equals[audKey])[0] === b.context[audKey] && allows({ ...s, Condition: undefined }, { ...b, context: {} });
}
/** Bytes IAM counts for the trust-policy quota (it ignores whitespace). */
function trustPolicySize(doc) {
    return Buffer.byteLength(JSON.stringify(doc), 'utf8');
}

;// CONCATENATED MODULE: ./build/plan/role.js




const ROLE_CREATE = 'role';
const ROLE_TRUST = 'role-trust';
function planRole(config, role, binding, after, out) {
    const name = config.role.name;
    if (!role) {
        if (config.role.kind === 'arn')
            throw new PlanError(`The role ${config.role.arn} given as "role-arn" does not exist (or these credentials cannot read it); give role-name to have it created.`);
        const trust = { Version: '2012-10-17', Statement: [statementFor(binding)] };
        const tags = { ...config.tags, ...(0,ownership/* ownershipTags */.dt)(config.clusterName, config.namespace, config.serviceAccount) };
        out.push(change(ROLE_CREATE, 'iam-role', 'create', `create role ${name} trusted by ${describe(binding)}`, after, {
            kind: 'create-role',
            name,
            trust,
            tags,
            boundary: config.permissionsBoundary,
            description: `Created by eks-pod-iam for ${config.mode} in cluster ${config.clusterName}, ${config.namespace}/${config.serviceAccount}`,
        }));
        planPolicies(config, name, [], undefined, [ROLE_CREATE], out);
        return [ROLE_CREATE];
    }
    const done = [];
    const merge = mergeTrust(role.trust, binding);
    if (merge.changed) {
        const kept = countStatements(role.trust);
        out.push(change(ROLE_TRUST, 'iam-role-trust', 'update', `allow ${describe(binding)} in the trust policy of ${name} (${kept} existing statement${kept === 1 ? '' : 's'} kept; ${trustPolicySize(merge.document)} bytes)`, after, {
            kind: 'update-trust',
            roleName: name,
            trust: merge.document,
        }));
        done.push(ROLE_TRUST);
    }
    const tagChanges = Object.fromEntries(Object.entries(config.tags).filter(([k, v]) => role.tags[k] !== v));
    if (Object.keys(tagChanges).length > 0)
        out.push(change('role-tags', 'iam-role', 'tag', `tag role ${name} with ${Object.keys(tagChanges).join(', ')}`, after, { kind: 'tag-role', roleName: name, tags: tagChanges }));
    if (config.permissionsBoundary && role.permissionsBoundaryArn !== config.permissionsBoundary) {
        if (role.tags[ownership/* MANAGED_TAG */.N2] === 'true')
            out.push(change('role-boundary', 'iam-role', 'update', `set the permissions boundary of ${name} to ${config.permissionsBoundary}`, after, { kind: 'put-boundary', roleName: name, boundary: config.permissionsBoundary }));
        else
            out.warn(`Role ${name} was not created by eks-pod-iam, so its permissions boundary is left as it is (${role.permissionsBoundaryArn ?? 'none'}).`);
    }
    planPolicies(config, name, role.attachedPolicyArns, role.inlinePolicy, after, out);
    return done;
}
function planPolicies(config, roleName, attached, inline, after, out) {
    for (const arn of config.policyArns)
        if (!attached.includes(arn))
            out.push(change(`policy:${arn}`, 'iam-role-policy', 'attach', `attach ${arn} to ${roleName}`, after, { kind: 'attach-policy', roleName, policyArn: arn }));
    if (config.inlinePolicy && (!inline || !samePolicy(inline, config.inlinePolicy)))
        out.push(change('inline-policy', 'iam-inline-policy', inline ? 'update' : 'create', `${inline ? 'update' : 'put'} inline policy ${ownership/* INLINE_POLICY_NAME */.NT} on ${roleName}`, after, {
            kind: 'put-inline-policy',
            roleName,
            policyName: ownership/* INLINE_POLICY_NAME */.NT,
            document: config.inlinePolicy,
        }));
}
function describe(b) {
    const subject = Object.entries(b.context).find(([k]) => k.endsWith(':sub'))?.[1];
    if (subject)
        return `${b.principal} for ${subject}`;
    return Object.keys(b.context).length ? `${b.principal} (scoped by session tags)` : b.principal;
}
const countStatements = (trust) => {
    const s = parsePolicy(trust).Statement;
    return Array.isArray(s) ? s.length : s ? 1 : 0;
};

;// CONCATENATED MODULE: ./build/plan/service-account.js

const ROLE_ARN_ANNOTATION = 'eks.amazonaws.com/role-arn';
const AUDIENCE_ANNOTATION = 'eks.amazonaws.com/audience';
const DEFAULT_AUDIENCE = 'sts.amazonaws.com';
/** The annotations the service account must carry: IRSA's role ARN (and audience when not the default). */
function desiredAnnotations(config, roleArn) {
    if (config.mode !== 'irsa')
        return {};
    return config.audience === DEFAULT_AUDIENCE ? { [ROLE_ARN_ANNOTATION]: roleArn } : { [ROLE_ARN_ANNOTATION]: roleArn, [AUDIENCE_ANNOTATION]: config.audience };
}
function planServiceAccount(config, roleArn, sa, namespaceExists, after, out) {
    const who = `${config.namespace}/${config.serviceAccount}`;
    const annotations = desiredAnnotations(config, roleArn);
    if (!sa) {
        if (!config.createServiceAccount) {
            if (config.mode === 'irsa')
                out.warn(`Service account ${who} does not exist and create-service-account is false: create it with annotation ${ROLE_ARN_ANNOTATION}=${roleArn} (e.g. in your Helm values), or rerun once it exists.`);
            return;
        }
        if (!namespaceExists)
            out.push(change('namespace', 'namespace', 'create', `create namespace ${config.namespace}`, [], { kind: 'create-namespace', name: config.namespace }));
        const note = Object.keys(annotations).length ? ` annotated ${ROLE_ARN_ANNOTATION}=${roleArn}` : '';
        out.push(change('service-account', 'service-account', 'create', `create service account ${who}${note}`, namespaceExists ? after : [...after, 'namespace'], {
            kind: 'create-service-account',
            annotations,
        }));
        return;
    }
    const differing = Object.fromEntries(Object.entries(annotations).filter(([k, v]) => sa.annotations[k] !== v));
    if (Object.keys(differing).length === 0)
        return;
    out.push(change('service-account', 'service-account', 'annotate', `annotate ${who} with ${Object.entries(differing).map(([k, v]) => `${k}=${v}`).join(', ')}`, after, {
        kind: 'annotate-service-account',
        annotations: differing,
    }));
    if (sa.labels['app.kubernetes.io/managed-by'] === 'Helm')
        out.warn(`Service account ${who} is managed by Helm: put ${ROLE_ARN_ANNOTATION}: ${roleArn} in the chart's values too, or a later helm upgrade may remove it.`);
}

;// CONCATENATED MODULE: ./build/plan/index.js
// The whole plan: desired state (from the config) against observed state, as an ordered list of changes.
// Pure: no I/O. Apply carries it out; dry-run prints it.








function roleArnFor(config, observed) {
    if (observed.role)
        return observed.role.arn;
    return config.role.kind === 'arn' ? config.role.arn : (0,arn/* roleArn */.w3)(config.partition, observed.accountId, config.role.name);
}
function providerArnFor(config, accountId, issuer) {
    if (!issuer)
        throw new PlanError(`Cluster ${config.clusterName} has no OIDC issuer, so IRSA cannot work; use mode pod-identity, or enable the cluster's OIDC issuer.`);
    return (0,arn/* oidcProviderArn */.iw)(config.partition, accountId, issuer);
}
function plan(config, observed) {
    const out = new ChangeList();
    const roleArn = roleArnFor(config, observed);
    let binding;
    let roleAfter = [];
    let providerArn;
    if (config.mode === 'irsa') {
        const issuer = observed.cluster.issuer;
        providerArn = providerArnFor(config, roleAccount(roleArn), issuer);
        roleAfter = planOidcProvider(config, issuer, providerArn, observed.oidcProvider ?? null, out);
        binding = irsaBinding(providerArn, (0,arn/* issuerHostPath */.rw)(issuer), config.namespace, config.serviceAccount, config.audience);
    }
    else {
        const scope = { clusterArn: observed.cluster.arn, namespace: config.namespace, serviceAccount: config.serviceAccount };
        binding = podIdentityBinding(config.scopeTrust ? scope : undefined);
    }
    const roleDone = planRole(config, observed.role, binding, roleAfter, out);
    let waitForAddon = false;
    if (config.mode === 'pod-identity') {
        waitForAddon = planAddon(config, observed.addon, out);
        planAssociation(config, roleArn, observed.associations ?? [], roleDone, out);
    }
    if (observed.serviceAccount !== undefined)
        planServiceAccount(config, roleArn, observed.serviceAccount, observed.namespaceExists ?? true, roleDone, out);
    return { changes: out.changes, warnings: out.warnings, waitForAddon, roleArn, oidcProviderArn: providerArn };
}
/** The OIDC provider lives in the role's account. */
const roleAccount = (arn) => arn.split(':')[4];

;// CONCATENATED MODULE: ./build/observe.js








/** Kubernetes is only needed to create or annotate the service account (or restart workloads). */
const needsKube = (config) => config.mode === 'irsa' || config.createServiceAccount || config.restartWorkloads;
async function observe(config, aws, env) {
    const roleChain = readRoleAndAccount(config, aws);
    const clusterChain = readCluster(config, aws);
    const podIdentity = config.mode === 'pod-identity';
    const addon = podIdentity && config.installAgent ? describeAddon(aws.eks, config.clusterName, AGENT_ADDON) : Promise.resolve(undefined);
    const associations = podIdentity ? readAssociations(aws.eks, config.clusterName, config.namespace, config.serviceAccount) : Promise.resolve(undefined);
    const kubeChain = clusterChain.then((cluster) => (needsKube(config) ? readKube(config, aws, cluster, env) : undefined));
    const provider = config.mode === 'irsa'
        ? Promise.all([roleChain, clusterChain]).then(([{ accountId }, cluster]) => readOidcProvider(aws.iam, providerArnFor(config, accountId, cluster.identity?.oidc?.issuer)))
        : Promise.resolve(undefined);
    // Settle everything before failing, so no call is left running when the first error is reported.
    const settled = await Promise.allSettled([roleChain, clusterChain, addon, associations, kubeChain, provider]);
    const failure = settled.find((r) => r.status === 'rejected');
    if (failure)
        throw failure.reason;
    const [{ role, accountId }, cluster] = await Promise.all([roleChain, clusterChain]);
    const kube = await kubeChain;
    const observed = {
        accountId,
        cluster: { arn: cluster.arn, issuer: cluster.identity?.oidc?.issuer },
        role,
        addon: await addon,
        associations: await associations,
        oidcProvider: await provider,
        serviceAccount: kube?.serviceAccount,
        namespaceExists: kube?.namespaceExists,
    };
    return { observed, kube: kube?.kube };
}
async function readRoleAndAccount(config, aws) {
    const role = await readRole(aws.iam, config.role.name, {
        policies: config.policyArns.length > 0,
        inlinePolicyName: config.inlinePolicy ? ownership/* INLINE_POLICY_NAME */.NT : undefined,
    });
    if (config.role.kind === 'arn') {
        if (role && role.arn !== config.role.arn)
            throw new errors/* RunError */.e(`Input "role-arn" is ${config.role.arn}, but these credentials see ${role.arn} under that name: use the role's exact ARN, in the credentials' own account.`);
        return { role, accountId: config.role.accountId };
    }
    // The account is only needed to name a role that does not exist yet.
    return { role, accountId: role ? role.arn.split(':')[4] : await callerAccount(aws.sts) };
}
async function readCluster(config, aws) {
    const cluster = await describeCluster(aws.eks, config.clusterName);
    if (!cluster)
        throw new errors/* RunError */.e(`EKS cluster ${config.clusterName} was not found in ${config.region}: check "cluster-name" and "aws-region".`);
    return cluster;
}
async function readKube(config, aws, cluster, env) {
    // client-node is large: load it only for runs that talk to Kubernetes.
    const k8s = await Promise.all(/* import() */[__webpack_require__.e(154), __webpack_require__.e(861)]).then(__webpack_require__.bind(__webpack_require__, 7861));
    const token = config.kube.kind === 'eks' ? await eksToken(aws.sts, config.clusterName, config.region, env) : undefined;
    const kube = k8s.connect(config.kube, { name: config.clusterName, endpoint: cluster.endpoint ?? '', caData: cluster.certificateAuthority?.data }, token);
    const serviceAccount = await k8s.readServiceAccount(kube, config.namespace, config.serviceAccount);
    const namespaceExists = serviceAccount ? true : await k8s.namespaceExists(kube, config.namespace);
    return { kube, serviceAccount, namespaceExists };
}

;// CONCATENATED MODULE: ./build/report.js
const cell = (s) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
function summarize(config, p, outputs) {
    const title = `### eks-pod-iam: ${config.mode} for \`${config.namespace}/${config.serviceAccount}\` in \`${config.clusterName}\`${config.dryRun ? ' (dry run)' : ''}`;
    const lines = [title, ''];
    if (p.changes.length === 0)
        lines.push('Everything already matched: no change.');
    else {
        lines.push(config.dryRun ? 'Changes a real run would make:' : 'Changes made:', '', '| resource | action | detail |', '|---|---|---|');
        for (const c of p.changes)
            lines.push(`| ${cell(c.resource)} | ${cell(c.action)} | ${cell(c.detail)} |`);
    }
    if (p.warnings.length)
        lines.push('', ...p.warnings.map((w) => `> ⚠️ ${w}`));
    lines.push('', '| output | value |', '|---|---|');
    for (const [k, v] of Object.entries(outputs))
        if (k !== 'changes' && v)
            lines.push(`| ${k} | \`${cell(v)}\` |`);
    return `${lines.join('\n')}\n`;
}

;// CONCATENATED MODULE: ./build/reconcile.js
// One run: observe → plan → (dry run: stop) → apply → outputs. The platform shells call this.











async function reconcile(config, log, env = process.env) {
    const aws = createClients(config.region);
    try {
        const { observed, kube } = await log.group('Observe', () => observe(config, aws, env));
        let p;
        try {
            p = plan(config, observed);
        }
        catch (e) {
            throw e instanceof PlanError ? new errors/* RunError */.e(e.message) : e;
        }
        for (const w of p.warnings)
            log.warn(w);
        await checkTrustQuota(p, aws);
        const verb = config.dryRun ? 'Would' : 'Will';
        log.info(p.changes.length === 0 ? 'Everything already matches: nothing to change.' : `${verb} make ${p.changes.length} change(s):`);
        for (const c of p.changes)
            log.info(`  - ${c.resource} ${c.action}: ${c.detail}`);
        const ctx = { config, aws, kube, log, result: {} };
        if (!config.dryRun) {
            await log.group('Apply', () => runGraph(p.changes, async (c) => {
                await applyOp(c.op, ctx);
                log.notice(`${c.resource} ${c.action}: ${c.detail}`);
            }));
            if (p.waitForAddon)
                await waitForAddon(config, aws, log);
        }
        const association = ctx.result.association ?? observed.associations?.[0];
        const outputs = {
            'role-arn': p.roleArn,
            changed: String(p.changes.length > 0),
            changes: JSON.stringify(p.changes.map(({ resource, action, detail }) => ({ resource, action, detail }))),
        };
        if (config.mode === 'pod-identity') {
            outputs['association-id'] = association?.associationId ?? '';
            outputs['association-arn'] = association?.associationArn ?? '';
        }
        else
            outputs['oidc-provider-arn'] = p.oidcProviderArn ?? '';
        return { outputs, changes: p.changes, summary: summarize(config, p, outputs) };
    }
    finally {
        destroyClients(aws);
    }
}
/** A trust policy over the account's quota is refused by IAM; say so before anything is written. */
async function checkTrustQuota(p, aws) {
    const update = p.changes.find((c) => c.op.kind === 'update-trust');
    if (!update || update.op.kind !== 'update-trust')
        return;
    const size = trustPolicySize(update.op.trust);
    const quota = await trustPolicyQuota(aws.iam);
    if (quota !== undefined && size > quota)
        throw new errors/* RunError */.e(`The trust policy of role ${update.op.roleName} would be ${size} bytes, over this account's AssumeRolePolicySizeQuota of ${quota}: ` +
            'remove statements that are no longer used, bind this service account to its own role, or ask AWS to raise the quota (up to 8192).');
}
async function waitForAddon(config, aws, log) {
    const started = Date.now();
    const elapsed = () => `${Math.round((Date.now() - started) / 1000)}s`;
    // Seconds between polls; real add-ons take about a minute, so polling faster buys nothing.
    const minDelay = Math.max(1, Math.round(5 * delayScale()));
    const maxDelay = Math.max(minDelay, Math.round(15 * delayScale()));
    await log.group(`Wait for add-on ${AGENT_ADDON}`, async () => {
        const ticker = setInterval(() => log.info(`still waiting for ${AGENT_ADDON} to become ACTIVE (${elapsed()})`), 10_000 * delayScale());
        try {
            await waitAddonActive(aws.eks, config.clusterName, AGENT_ADDON, config.waitTimeoutSeconds, minDelay, maxDelay);
            log.info(`${AGENT_ADDON} is ACTIVE (after ${elapsed()})`);
        }
        catch {
            const addon = await describeAddon(aws.eks, config.clusterName, AGENT_ADDON);
            if (addon && addon.status !== 'CREATING' && addon.status !== 'UPDATING')
                throw new errors/* RunError */.e(addonFailure(config.clusterName, addon));
            throw new errors/* RunError */.e(`Add-on ${AGENT_ADDON} in cluster ${config.clusterName} is still ${addon?.status ?? 'missing'} after ${config.waitTimeoutSeconds}s ("wait-timeout"); rerun to keep waiting.`);
        }
        finally {
            clearInterval(ticker);
        }
    });
}


/***/ })

};
