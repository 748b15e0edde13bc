export const id = 861;
export const ids = [861];
export const modules = {

/***/ 7861:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  annotateServiceAccount: () => (/* binding */ annotateServiceAccount),
  connect: () => (/* binding */ connect),
  createNamespace: () => (/* binding */ createNamespace),
  createServiceAccount: () => (/* binding */ createServiceAccount),
  kubeCall: () => (/* binding */ kubeCall),
  namespaceExists: () => (/* binding */ namespaceExists),
  readServiceAccount: () => (/* binding */ readServiceAccount)
});

// EXTERNAL MODULE: ./node_modules/@kubernetes/client-node/dist/index.js + 828 modules
var dist = __webpack_require__(6154);
;// CONCATENATED MODULE: ./build/kube/errors.js
// Kubernetes failures in plain words. 401/403 almost always mean the runner's IAM principal has no
// EKS access entry (or aws-auth mapping), so say that.
function statusOf(e) {
    const code = e?.code;
    return typeof code === 'number' ? code : undefined;
}
function messageOf(e) {
    const body = e?.body;
    if (typeof body === 'string') {
        try {
            const parsed = JSON.parse(body);
            if (parsed.message)
                return parsed.message;
        }
        catch {
            // not a Status object: fall through
        }
    }
    return e?.message?.split('\n')[0] ?? String(e);
}
function describeKubeError(e, what, server) {
    const status = statusOf(e);
    if (status === 401)
        return `The Kubernetes API at ${server} refused our credentials (401 Unauthorized) when trying to ${what}: give the runner's IAM principal an EKS access entry (or an aws-auth mapping) on this cluster, or pass a working kubeconfig.`;
    if (status === 403)
        return `The Kubernetes API at ${server} forbids it (403) when trying to ${what}: ${messageOf(e)}. Give the runner's IAM principal an EKS access entry with a policy that may get, create and patch service accounts and namespaces.`;
    const cause = e?.cause?.code ?? e?.code;
    if (typeof cause === 'string')
        return `Could not reach the Kubernetes API at ${server} to ${what} (${cause}).`;
    return `Kubernetes could not ${what}${status ? ` (${status})` : ''}: ${messageOf(e)}`;
}

;// CONCATENATED MODULE: ./build/kube/client.js
// Thin adapter over @kubernetes/client-node: the cluster access, and the service account calls the plan needs.


/** From a kubeconfig (file or text), or from DescribeCluster's endpoint and CA with an EKS token. */
function connect(access, cluster, token) {
    const kc = new dist/* KubeConfig */.ypW();
    if (access.kind === 'kubeconfig-file')
        kc.loadFromFile(access.path);
    else if (access.kind === 'kubeconfig-text')
        kc.loadFromString(access.text);
    else {
        if (!cluster?.endpoint)
            throw new Error(`Cluster ${cluster?.name ?? ''} has no API endpoint yet; wait until it is ACTIVE, or give a kubeconfig.`);
        kc.loadFromOptions({
            clusters: [{ name: cluster.name, server: cluster.endpoint, caData: cluster.caData, skipTLSVerify: false }],
            users: [{ name: 'eks-pod-iam', token }],
            contexts: [{ name: cluster.name, cluster: cluster.name, user: 'eks-pod-iam' }],
            currentContext: cluster.name,
        });
    }
    return { core: kc.makeApiClient(dist/* CoreV1Api */.f5Y), apps: kc.makeApiClient(dist/* AppsV1Api */.eY6), server: kc.getCurrentCluster()?.server ?? '' };
}
async function orNull(p) {
    try {
        return await p;
    }
    catch (e) {
        if (statusOf(e) === 404)
            return null;
        throw e;
    }
}
/** Runs a Kubernetes call, turning its failures into one plain sentence. */
async function kubeCall(kube, what, fn) {
    try {
        return await fn();
    }
    catch (e) {
        throw new Error(describeKubeError(e, what, kube.server));
    }
}
async function readServiceAccount(kube, namespace, name) {
    const sa = await kubeCall(kube, `read service account ${namespace}/${name}`, () => orNull(kube.core.readNamespacedServiceAccount({ namespace, name })));
    if (!sa)
        return null;
    return { annotations: { ...(sa.metadata?.annotations ?? {}) }, labels: { ...(sa.metadata?.labels ?? {}) } };
}
async function namespaceExists(kube, name) {
    return (await kubeCall(kube, `read namespace ${name}`, () => orNull(kube.core.readNamespace({ name })))) !== null;
}
const isConflict = (e) => statusOf(e) === 409;
/** Creates the namespace; one created concurrently is just as good. */
async function createNamespace(kube, name) {
    await kubeCall(kube, `create namespace ${name}`, async () => {
        try {
            await kube.core.createNamespace({ body: { metadata: { name, labels: { 'app.kubernetes.io/created-by': 'eks-pod-iam' } } } });
        }
        catch (e) {
            if (!isConflict(e))
                throw e;
        }
    });
}
/** Creates the service account, or — if it appeared meanwhile — merges the annotations into it. */
async function createServiceAccount(kube, namespace, name, annotations) {
    await kubeCall(kube, `create service account ${namespace}/${name}`, async () => {
        try {
            await kube.core.createNamespacedServiceAccount({
                namespace,
                body: { metadata: { name, namespace, annotations: Object.keys(annotations).length ? annotations : undefined, labels: { 'app.kubernetes.io/created-by': 'eks-pod-iam' } } },
            });
        }
        catch (e) {
            if (!isConflict(e))
                throw e;
            if (Object.keys(annotations).length)
                await patchAnnotations(kube, namespace, name, annotations);
        }
    });
}
/** JSON merge patch of the annotations only: every other annotation and label stays as it is. */
async function annotateServiceAccount(kube, namespace, name, annotations) {
    await kubeCall(kube, `annotate service account ${namespace}/${name}`, () => patchAnnotations(kube, namespace, name, annotations));
}
const patchAnnotations = (kube, namespace, name, annotations) => kube.core.patchNamespacedServiceAccount({ namespace, name, body: { metadata: { annotations } } }, (0,dist/* setHeaderOptions */.OkF)('Content-Type', dist/* PatchStrategy */.Qve.MergePatch));


/***/ })

};
