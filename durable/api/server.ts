// The HTTP surface of the API server: routing of Kubernetes paths to discovery, OpenAPI and the
// generic REST engine, with content negotiation (Table, PartialObjectMetadata) and Status errors.
import type { Obj, ResourceDef } from "../resources/types";
import { apiVersionOf } from "../resources/types";
import { unknownFields } from "../openapi/unknown-fields";
import { serveOpenAPI, strictDecodingMessage } from "./openapi";
import { APPLY_TYPES, applyPatch, patchDecodeFailure } from "./patching";
import { ApplyConflict, ManagedFieldsError, applyConfiguration, managerName } from "./managedfields";
import {
  forbidden as fieldForbidden,
  invalid as fieldInvalid,
  required as fieldRequired,
  tooLong as fieldTooLong,
} from "../resources/validation";
import {
  checkFieldSelector,
  parseInt64,
  parseResourceVersion,
  rfc3339,
  type Registry,
  storageError,
  validateResourceVersionMatch,
  type DeleteOptions,
  type ListOptions,
  type ListResult,
} from "./registry";
import { decodePathSegment, parseFieldSelector, parseLabelSelector, formatLabelSelector } from "./selectors";
import {
  ApiError,
  badRequest,
  internal,
  invalid,
  methodNotAllowed,
  notFound,
  notFoundPath,
  notServed,
  routeMethodNotAllowed,
  statusResponse,
  unsupportedMediaType,
} from "./status";
import { negotiate, partialMetadata, partialMetadataList, toTable, type IncludeObject, type Negotiated } from "./table";
import { aggregated, apiGroup, apiGroupList, apiResourceList, apiVersions, wantsAggregated, verbsOf, subresourceVerbs } from "./discovery";
import type { WatchHub, SocketWatch, WatchRequest } from "./watch";
import { decodeKubernetesProtobuf, PROTOBUF_CONTENT_TYPE } from "./protobuf";
import { isAlias, isMap, isScalar, isSeq, Lexer, parseDocument } from "yaml";
import { MAX_DEPTH, MAX_REQUEST_BYTES, TOO_LARGE_DETAIL, deeperThan, maxDepthMessage } from "./limits";
import { ADMIN, type UserInfo } from "./identity";
import { attributesFor, authorizeRequest, impersonate, storePolicy } from "./authz";
import type { PolicySource } from "./rbac";
import { indented, isStream, wantsPretty } from "./pretty";
import { MATERIALIZE_BYTES, preformatted, streamedObject } from "./liststream";
import { queryBool } from "./query";
import { healthBody } from "./health";
import { RequestMetrics, requestLabels } from "./metrics";

export const KUBE_VERSION = {
  major: "1",
  minor: "33",
  emulationMajor: "1",
  emulationMinor: "33",
  minCompatibilityMajor: "1",
  minCompatibilityMinor: "32",
  gitVersion: "v1.33.1",
  gitCommit: "8adc0f041b8e7ad1d30e29cc59c6ae7a15e19828",
  gitTreeState: "clean",
  buildDate: "2025-05-15T08:19:08Z",
  goVersion: "go1.24.2",
  compiler: "gc",
  platform: "linux/amd64",
};

/** Subresources that other parts of the cluster serve (logs, exec, …); routed to `extra`. */
export type SubresourceHandler = (
  req: Request,
  def: ResourceDef,
  ns: string | undefined,
  name: string,
  url: URL,
) => Promise<Response> | Response;

/** The verb of a request on a named object (RequestInfoFactory's mapping of HTTP methods). */
const HTTP_VERB: Record<string, string> = { GET: "get", HEAD: "get", POST: "create", PUT: "update", PATCH: "patch", DELETE: "delete" };

interface Target {
  def: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
  watch: boolean;
}

export class ApiServer {
  /** Handlers for subresources outside the generic engine, keyed by "<plural>/<subresource>". */
  readonly extra = new Map<string, SubresourceHandler>();
  /** apiserver_request_total, served at /metrics. */
  readonly metrics = new RequestMetrics();
  /** The Roles and bindings every request is authorized by, as of the last commit. */
  readonly policy: PolicySource;

  constructor(
    readonly registry: Registry,
    readonly hub: WatchHub,
    /** Run fn in one storage transaction (all writes of a request commit together). */
    private readonly transaction: <T>(fn: () => T) => T,
  ) {
    this.policy = storePolicy(registry.store);
  }

  /** Serve one request; `path` is the Kubernetes path (the /clusters/<id> prefix removed). */
  async handle(request: Request, path: string, prefix: string): Promise<Response> {
    const url = new URL(request.url);
    let res: Response;
    try {
      // Every request here carries the session's token (the Worker checked it): the admin, or whom it impersonates.
      const user = impersonate(ADMIN, request.headers, this.policy);
      authorizeRequest(this.policy, attributesFor(user, request.method, path, url.searchParams));
      res = await this.route(request, path, prefix, url, user);
    } catch (thrown) {
      const e = storageError(thrown); // a store refusal from any writer is a Status too
      if (!(e instanceof ApiError)) console.error("internal error", e);
      res = statusResponse(e instanceof ApiError ? e : internal(e instanceof Error ? e.message : String(e)));
    }
    const labels = requestLabels(request.method, path, url.searchParams, (request.headers.get("content-type") ?? "").split(";")[0].trim());
    if (labels) this.metrics.record(labels, res.status);
    return wantsPretty(request, url) && !isStream(path, url) && !preformatted.has(res) ? indented(res) : res;
  }

  private async route(request: Request, path: string, prefix: string, url: URL, user: UserInfo): Promise<Response> {
    const method = request.method;
    const accept = request.headers.get("accept");
    const segs = path.split("/").filter(Boolean).map(decodePathSegment);

    // responsewriters.WriteRawJSON: always indented.
    if (path === "/version" || path === "/version/")
      return new Response(JSON.stringify(KUBE_VERSION, null, 2), { headers: { "content-type": "application/json" } });
    if (/^\/(healthz|livez|readyz)(\/|$)/.test(path)) {
      const body = healthBody(path, url.searchParams);
      if (body === undefined) throw notFoundPath();
      return text(body);
    }
    if (path === "/metrics") return text(this.metrics.render(), "text/plain; version=0.0.4; charset=utf-8; escaping=underscores");
    if (segs[0] === "openapi") {
      const res = serveOpenAPI(this.registry.table.all, prefix, path, url.searchParams, request.headers);
      if (!res) throw notFoundPath();
      return res;
    }
    if (segs[0] === "api" && segs.length === 1) {
      const agg = wantsAggregated(accept);
      return agg ? aggregatedResponse(aggregated(true, agg, this.registry.table), agg) : json(apiVersions());
    }
    if (segs[0] === "apis" && segs.length === 1) {
      const agg = wantsAggregated(accept);
      return agg ? aggregatedResponse(aggregated(false, agg, this.registry.table), agg) : json(apiGroupList(this.registry.table));
    }
    if (segs[0] === "apis" && segs.length === 2) {
      const g = apiGroup(segs[1], this.registry.table);
      if (!g) throw notFoundPath();
      return json(g);
    }

    let group: string, version: string, rest: string[];
    if (segs[0] === "api" && segs[1] === "v1") [group, version, rest] = ["", "v1", segs.slice(2)];
    else if (segs[0] === "apis" && segs.length >= 3) [group, version, rest] = [segs[1], segs[2], segs.slice(3)];
    else throw notFoundPath();

    const gv = group ? `${group}/${version}` : version;
    if (rest.length === 0) {
      const list = apiResourceList(gv, this.registry.table);
      if (!list) throw notFoundPath();
      return json(list);
    }
    const target = this.resolve(group, version, rest);
    if (target.def.unserved) throw notServed(target.def, target.name, method);
    if (target.subresource && target.name) {
      const { def, subresource } = target;
      // go-restful has a route per verb the subresource serves: any other method is its 405.
      if (!subresourceVerbs(def, subresource)!.includes(HTTP_VERB[method] ?? "")) throw routeMethodNotAllowed();
      const handler = this.extra.get(`${def.plural}/${subresource}`);
      if (handler) return handler(request, def, target.namespace, target.name, url);
      const generic =
        (subresource === "status" && def.subresources?.status) ||
        (subresource === "scale" && def.subresources?.scale) ||
        def.updateSubresources?.[subresource];
      // Listed but served by nothing here: never let it reach the main resource's handlers.
      if (!generic) throw notFoundPath();
    }
    return this.rest(request, target, url, accept, user);
  }

  /** Map path segments after /api/v1 or /apis/<g>/<v> to a resource target. */
  private resolve(group: string, version: string, rest: string[]): Target {
    let watch = false;
    if (rest[0] === "watch") {
      watch = true;
      rest = rest.slice(1);
    }
    let namespace: string | undefined;
    if (rest[0] === "namespaces" && rest.length >= 3) {
      const nsScoped = this.registry.table.lookup(group, version, rest[2]) ?? this.registry.table.lookupUnserved(group, version, rest[2]);
      if (nsScoped?.namespaced) {
        namespace = rest[1];
        rest = rest.slice(2);
      }
    }
    const def = this.registry.table.lookup(group, version, rest[0]) ?? this.registry.table.lookupUnserved(group, version, rest[0]);
    // Only a proxy subresource has a path after it: services/x/proxy/some/path.
    if (!def || (rest.length > 3 && rest[2] !== "proxy") || (namespace && !def.namespaced)) throw notFoundPath();
    const [, name, subresource] = rest;
    if (subresource && !subresourceVerbs(def, subresource)) throw notFoundPath();
    return { def, namespace, name, subresource, watch };
  }

  // ---- REST verbs ---------------------------------------------------------------

  private async rest(request: Request, t: Target, url: URL, accept: string | null, user: UserInfo): Promise<Response> {
    const { def, namespace, name, subresource } = t;
    const q = url.searchParams;
    const method = request.method;
    const verbs = verbsOf(def);
    const allow = (verb: string) => {
      if (!verbs.includes(verb) && !subresource) throw methodNotAllowed(verb, def.plural, def.group);
    };
    const warnings: string[] = [];
    if (def.deprecationWarning) warnings.push(def.deprecationWarning);
    const dryRun = parseDryRun(q);
    const manager = managerName(q.get("fieldManager"), request.headers.get("user-agent"));
    if (method === "POST" || method === "PUT" || method === "PATCH") checkWriteOptions(request, q);

    if (method === "GET" && (t.watch || queryBool(q, "watch"))) {
      allow("watch");
      const req = this.watchRequest(t, q, accept);
      if (request.headers.get("upgrade")?.toLowerCase() === "websocket")
        return this.hub.openSocket(req, request, { url: url.href, accept });
      return withWarnings(this.hub.open(req), warnings);
    }

    if (!name) {
      if (method === "GET") {
        allow("list");
        return withWarnings(this.list(def, namespace, q, accept, wantsPretty(request, url)), warnings);
      }
      if (method === "POST") {
        allow("create");
        const body = await readBody(request, def);
        this.checkFields(def, body, q, warnings);
        if (def.review)
          return withWarnings(json(def.review(body, user, this.registry.ctx(), { policy: this.policy, namespace }), 201), warnings);
        if (def.authorizeWrite) this.checkWrite(def, namespace, body, user);
        const obj = this.transaction(() =>
          storable(() => this.registry.create(def, namespace, body, { dryRun, warnings, fieldManager: { manager } }), bodyTooDeep(def)),
        );
        return withWarnings(json(obj, 201), warnings);
      }
      if (method === "DELETE") {
        allow("deletecollection");
        const opts = this.listOptions(def, q);
        const del = { ...(await deleteOptions(request, q, dryRun)), warnings };
        const items = this.transaction(() => {
          const out: Obj[] = [];
          for (const o of this.registry.list(def, namespace, opts).items) {
            out.push(this.registry.delete(def, o.metadata.namespace, o.metadata.name, del).body);
          }
          return out;
        });
        return withWarnings(
          json({
            kind: `${def.kind}List`,
            apiVersion: apiVersionOf(def),
            metadata: { resourceVersion: String(this.registry.store.rev) },
            items: items.filter((o) => o.kind !== "Status"),
          }),
          warnings,
        );
      }
      throw methodNotAllowed(method, def.plural, def.group);
    }

    if (subresource === "scale") return this.scale(request, def, namespace, name, dryRun, manager);

    const status = subresource === "status" || (subresource && def.updateSubresources?.[subresource]) ? subresource : undefined;
    switch (method) {
      case "GET": {
        allow("get");
        const obj = this.registry.get(def, namespace, name);
        return withWarnings(this.shaped(def, obj, accept, q), warnings);
      }
      case "PUT": {
        allow("update");
        const body = await readBody(request, def);
        this.checkFields(def, body, q, warnings);
        if (def.authorizeWrite && !status) this.checkWrite(def, namespace, body, user);
        const { obj, created } = this.transaction(() =>
          storable(
            () =>
              this.registry.update(def, namespace, name, body, {
                dryRun,
                warnings,
                subresource: status,
                createIfMissing: true,
                fieldManager: { manager, subresource: status },
              }),
            bodyTooDeep(def),
          ),
        );
        return withWarnings(json(obj, created ? 201 : 200), warnings);
      }
      case "PATCH": {
        allow("patch");
        const contentType = (request.headers.get("content-type") ?? "").split(";")[0].trim();
        if (APPLY_TYPES.includes(contentType)) {
          const { obj, created } = await this.serverSideApply(request, t, q, contentType, { dryRun, warnings, status, user });
          return withWarnings(json(obj, created ? 201 : 200), warnings);
        }
        const undecodable = patchDecodeFailure(contentType, q.get("fieldValidation"));
        const patch = await readJson(request, undecodable);
        const obj = this.transaction(() =>
          storable(
            () =>
              this.registry.mutate(
                def,
                namespace,
                name,
                (current) => {
                  const next = applyPatch(contentType, current, patch, def);
                  this.checkFields(def, next, q, warnings, true);
                  if (def.authorizeWrite && !status) this.checkWrite(def, namespace, next, user);
                  return next;
                },
                { dryRun, warnings, subresource: status, fieldManager: { manager, subresource: status } },
              ),
            () => undecodable(maxDepthMessage("{")),
          ),
        );
        return withWarnings(json(obj), warnings);
      }
      case "DELETE": {
        allow("delete");
        const del = { ...(await deleteOptions(request, q, dryRun)), warnings };
        const { body } = this.transaction(() => this.registry.delete(def, namespace, name, del));
        return withWarnings(json(body), warnings);
      }
    }
    throw methodNotAllowed(method, def.plural, def.group);
  }

  /**
   * PATCH with an apply configuration (server-side apply): the configuration merged into the
   * live object by the field manager, then written through the registry's update (or create, for
   * an object that does not exist yet) like any other write.
   */
  private async serverSideApply(
    request: Request,
    t: Target,
    q: URLSearchParams,
    contentType: string,
    o: { dryRun: boolean; warnings: string[]; status: string | undefined; user: UserInfo },
  ): Promise<{ obj: Obj; created: boolean }> {
    const { def, namespace } = t;
    const name = t.name!;
    const manager = q.get("fieldManager") ?? "";
    if (contentType !== "application/apply-patch+yaml") throw unsupportedMediaType(contentType);
    const forceParam = q.get("force");
    if (forceParam !== null && forceParam !== "true" && forceParam !== "false")
      throw badRequest(`strconv.ParseBool: parsing ${JSON.stringify(forceParam)}: invalid syntax`);
    const force = forceParam === "true";
    const text = new TextDecoder().decode(await readBytes(request));
    const yamlError = (err: string) => badRequest(`error decoding YAML: ${err}`);
    const config = decodeYaml(text, yamlError, yamlError) as Obj;
    if (!config || typeof config !== "object" || Array.isArray(config)) throw yamlError("the configuration is not an object");
    const apiVersion = apiVersionOf(def);
    if (config.apiVersion !== apiVersion || config.kind !== def.kind) {
      const [g, v] = String(config.apiVersion ?? "").includes("/") ? String(config.apiVersion).split("/") : ["", config.apiVersion ?? ""];
      throw badRequest(`invalid object type: ${g}/${v}, Kind=${config.kind ?? ""}`);
    }
    const meta = config.metadata && typeof config.metadata === "object" ? config.metadata : {};
    if (meta.name !== undefined && meta.name !== name)
      throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    if (def.namespaced && meta.namespace !== undefined && meta.namespace !== namespace)
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    this.checkFields(def, config, q, o.warnings, true);
    const kind = { openapi: def.openapi, apiVersion, kind: def.kind, hasStatus: !!def.subresources?.status };
    const writer = { manager, apiVersion, subresource: o.status, now: rfc3339(Date.now()) };
    const opts = { dryRun: o.dryRun, warnings: o.warnings, managedFieldsAsGiven: true };
    const run = <T>(write: () => T): T => {
      try {
        return storable(write, bodyTooDeep(def));
      } catch (e) {
        if (e instanceof ApplyConflict) throw new ApiError(409, "Conflict", e.message, { causes: e.causes });
        if (e instanceof ManagedFieldsError) throw badRequest(`error decoding managed fields: ${e.message}`);
        throw e;
      }
    };
    return this.transaction(() =>
      run(() => {
        const live = this.registry.read(def, namespace, name);
        if (!live) {
          if (o.status) throw notFound(def.plural, def.group, name);
          const { obj } = applyConfiguration(kind, undefined, config, writer, force);
          obj.metadata.name = name;
          if (def.authorizeWrite) this.checkWrite(def, namespace, obj, o.user);
          return { obj: this.registry.create(def, namespace, obj, opts), created: true };
        }
        const obj = this.registry.mutate(
          def,
          namespace,
          name,
          (current) => {
            const next = applyConfiguration(kind, current, config, writer, force).obj;
            if (def.authorizeWrite && !o.status) this.checkWrite(def, namespace, next, o.user);
            return next;
          },
          { ...opts, subresource: o.status },
        );
        return { obj, created: false };
      }),
    );
  }

  /** The kind's own REST-storage authorization of what is about to be written (RBAC's escalation check). */
  private checkWrite(def: ResourceDef, namespace: string | undefined, obj: Obj, user: UserInfo): void {
    if (!obj || typeof obj !== "object") return;
    const meta = obj.metadata && typeof obj.metadata === "object" ? obj.metadata : {};
    def.authorizeWrite!({ ...obj, metadata: { ...meta, ...(namespace ? { namespace } : {}) } }, { user, policy: this.policy });
  }

  private list(def: ResourceDef, namespace: string | undefined, q: URLSearchParams, accept: string | null, pretty: boolean): Response {
    const opts = this.listOptions(def, q);
    const shape = negotiate(accept);
    if (this.registry.store.liveBytes > MATERIALIZE_BYTES) return this.streamedList(def, namespace, opts, shape, q, pretty);
    const result = this.registry.list(def, namespace, opts);
    const listMeta = listMetaOf(result);
    if (shape.shape === "Table") {
      const includeObject = (q.get("includeObject") as IncludeObject) ?? "Metadata";
      return json(
        toTable(def, result.items, this.registry.ctx(), { listMeta, includeObject, version: shape.version }),
        200,
        tableType(shape.version),
      );
    }
    if (shape.shape === "PartialObjectMetadataList" || shape.shape === "PartialObjectMetadata") {
      return json(partialMetadataList(result.items, listMeta, shape.version));
    }
    return json({
      kind: def.listKind ?? `${def.kind}List`,
      apiVersion: apiVersionOf(def),
      metadata: listMeta,
      items: result.items,
    });
  }

  /** The list written a page at a time (durable/api/liststream.ts), in the negotiated shape. */
  private streamedList(
    def: ResourceDef,
    namespace: string | undefined,
    opts: ListOptions,
    shape: Negotiated,
    q: URLSearchParams,
    pretty: boolean,
  ): Response {
    // The plain list can carry the stored text of each object; the other shapes are built from objects.
    const scan = this.registry.scan(def, namespace, opts, { raw: shape.shape === "Object" });
    const pages = scan.pages[Symbol.iterator]() as Iterator<Obj[]>; // objects where the shape needs them
    const tail = () => ({ metadata: listMetaOf(scan.result()) });
    let body: ReadableStream<Uint8Array>;
    let contentType = "application/json";
    if (shape.shape === "Table") {
      const includeObject = (q.get("includeObject") as IncludeObject) ?? "Metadata";
      const ctx = this.registry.ctx();
      const { kind, apiVersion, columnDefinitions } = toTable(def, [], ctx, { includeObject, version: shape.version });
      const rows = mapPages(pages, (page) => toTable(def, page, ctx, { includeObject, version: shape.version, noHeaders: true }).rows);
      body = streamedObject({ kind, apiVersion, columnDefinitions }, "rows", rows, tail, pretty);
      contentType = tableType(shape.version);
    } else if (shape.shape === "PartialObjectMetadataList" || shape.shape === "PartialObjectMetadata") {
      const { kind, apiVersion } = partialMetadataList([], {}, shape.version);
      body = streamedObject(
        { kind, apiVersion },
        "items",
        mapPages(pages, (page) => page.map((o) => partialMetadata(o, shape.version))),
        tail,
        pretty,
      );
    } else {
      body = streamedObject({ kind: def.listKind ?? `${def.kind}List`, apiVersion: apiVersionOf(def) }, "items", pages, tail, pretty);
    }
    const res = new Response(body, { headers: { "content-type": contentType } });
    preformatted.add(res);
    return res;
  }

  private watchRequest(t: Target, q: URLSearchParams, accept: string | null): WatchRequest {
    const opts = this.listOptions(t.def, q, t.name, true);
    return {
      def: t.def,
      namespace: t.namespace,
      labels: opts.labels,
      fields: opts.fields,
      resourceVersion: opts.resourceVersion,
      bookmarks: queryBool(q, "allowWatchBookmarks"),
      sendInitialEvents: queryBool(q, "sendInitialEvents"),
      timeoutSeconds: q.has("timeoutSeconds") ? parseInt64(q.get("timeoutSeconds")!) : undefined,
      shape: negotiate(accept),
      includeObject: (q.get("includeObject") as IncludeObject) ?? undefined,
    };
  }

  /** The watch of a WebSocket, from what was kept with it across hibernation. */
  socketWatch({ url, accept }: SocketWatch): WatchRequest {
    const u = new URL(url);
    const segs = u.pathname
      .replace(/^\/clusters\/[^/]+/, "")
      .split("/")
      .filter(Boolean)
      .map(decodePathSegment);
    const [group, version, rest] = segs[0] === "api" ? ["", segs[1], segs.slice(2)] : [segs[1], segs[2], segs.slice(3)];
    return this.watchRequest(this.resolve(group, version, rest), u.searchParams, accept);
  }

  /** The list options of a list, deletecollection or watch request: decoded as the real
   *  ParameterCodec decodes them (int64 limit, 400 past it) and, for lists, validated as
   *  ValidateListOptions validates resourceVersionMatch (422). A limit of 0 or less is no limit. */
  private listOptions(def: ResourceDef, q: URLSearchParams, name?: string, watch = false): ListOptions {
    const labels = q.has("labelSelector") ? parseLabelSelector(q.get("labelSelector")!) : undefined;
    let fields = q.has("fieldSelector") ? parseFieldSelector(q.get("fieldSelector")!) : undefined;
    if (name) fields = [...(fields ?? []), { field: "metadata.name", op: "=", value: name }];
    if (fields) checkFieldSelector(def, fields);
    const limit = q.has("limit") ? parseInt64(q.get("limit")!) : 0;
    const rv = q.get("resourceVersion") ?? "";
    const match = q.get("resourceVersionMatch") ?? "";
    const cont = q.get("continue") ?? "";
    if (!watch) {
      const errs = validateResourceVersionMatch(rv, match, cont);
      if (errs.length) throw invalid("ListOptions", "meta.k8s.io", "", errs);
    }
    return {
      labels,
      fields,
      limit: limit > 0 ? limit : undefined,
      continue: cont || undefined,
      resourceVersion: parseResourceVersion(rv),
      resourceVersionMatch: match,
    };
  }

  private shaped(def: ResourceDef, obj: Obj, accept: string | null, q: URLSearchParams): Response {
    const shape = negotiate(accept);
    if (shape.shape === "Table") {
      const includeObject = (q.get("includeObject") as IncludeObject) ?? "Metadata";
      return json(
        toTable(def, [obj], this.registry.ctx(), {
          includeObject,
          version: shape.version,
          listMeta: { resourceVersion: obj.metadata.resourceVersion },
        }),
        200,
        tableType(shape.version),
      );
    }
    if (shape.shape === "PartialObjectMetadata") {
      return json({ kind: "PartialObjectMetadata", apiVersion: `meta.k8s.io/${shape.version}`, metadata: obj.metadata });
    }
    return json(obj);
  }

  /** fieldValidation: Strict rejects unknown fields, Warn (the default) turns them into warnings
   *  and Ignore says nothing; with Warn and Ignore they are dropped from `body`, as the typed
   *  decode of the real server drops them. */
  private checkFields(def: ResourceDef, body: Obj, q: URLSearchParams, warnings: string[], patch = false): void {
    const mode = q.get("fieldValidation") ?? "Warn";
    if (mode !== "Strict" && mode !== "Warn" && mode !== "Ignore") {
      throw badRequest(`fieldValidation parameter unsupported: ${mode}`);
    }
    const unknown = def.pruneUnknown ? def.pruneUnknown(body) : unknownFields(body, def.openapi, mode !== "Strict");
    if (unknown.length === 0 || mode === "Ignore") return;
    if (mode === "Strict") {
      throw badRequest(patch ? strictDecodingMessage(unknown) : strictDecodingMessage(unknown, def.kind, def.version));
    }
    warnings.push(...unknown);
  }

  /** The scale subresource: an autoscaling/v1 Scale view of spec.replicas. */
  private async scale(
    request: Request,
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    dryRun: boolean,
    manager: string,
  ): Promise<Response> {
    const spec = def.subresources!.scale!;
    const toScale = (obj: Obj): Obj => {
      const sel = spec.labelSelectorPath ? getPath(obj, spec.labelSelectorPath) : undefined;
      const selector =
        sel === undefined
          ? undefined
          : sel.matchLabels || sel.matchExpressions
            ? formatLabelSelector(sel)
            : Object.entries(sel ?? {})
                .map(([k, v]) => `${k}=${v}`)
                .join(",");
      return {
        kind: "Scale",
        apiVersion: "autoscaling/v1",
        metadata: {
          name: obj.metadata.name,
          namespace: obj.metadata.namespace,
          uid: obj.metadata.uid,
          resourceVersion: obj.metadata.resourceVersion,
          creationTimestamp: obj.metadata.creationTimestamp,
        },
        spec: { replicas: getPath(obj, spec.specReplicasPath) ?? 0 },
        status: { replicas: getPath(obj, spec.statusReplicasPath) ?? 0, ...(selector ? { selector } : {}) },
      };
    };
    if (request.method === "GET") return json(toScale(this.registry.get(def, namespace, name)));
    if (request.method !== "PUT" && request.method !== "PATCH") throw methodNotAllowed(request.method, def.plural, def.group);
    const input = await readJson(request);
    const contentType = (request.headers.get("content-type") ?? "").split(";")[0].trim();
    const obj = this.transaction(() =>
      this.registry.mutate(
        def,
        namespace,
        name,
        (current) => {
          const scale = request.method === "PUT" ? input : applyPatch(contentType, toScale(current), input, undefined);
          const replicas = scale?.spec?.replicas;
          if (scale?.metadata?.resourceVersion && scale.metadata.resourceVersion !== current.metadata.resourceVersion) {
            current.metadata.resourceVersion = scale.metadata.resourceVersion; // surfaces as a Conflict
          }
          if (!Number.isInteger(replicas) || replicas < 0) {
            throw new ApiError(
              422,
              "Invalid",
              `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
              {
                name,
                group: "autoscaling",
                kind: "Scale",
                causes: [
                  {
                    reason: "FieldValueInvalid",
                    message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
                    field: "spec.replicas",
                  },
                ],
              },
            );
          }
          setPath(current, spec.specReplicasPath, replicas);
          return current;
        },
        { dryRun, fieldManager: { manager, subresource: "scale" } },
      ),
    );
    return json(toScale(obj));
  }
}

// ---- helpers ------------------------------------------------------------------------------

function listMetaOf(result: ListResult): Obj {
  const listMeta: Obj = { resourceVersion: result.resourceVersion };
  if (result.continue) listMeta.continue = result.continue;
  if (result.remainingItemCount !== undefined) listMeta.remainingItemCount = result.remainingItemCount;
  return listMeta;
}

function* mapPages<T, U>(pages: Iterator<T[]>, f: (page: T[]) => U[]): Iterator<U[]> {
  for (let next = pages.next(); !next.done; next = pages.next()) yield f(next.value);
}

function json(body: unknown, status = 200, contentType = "application/json"): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": contentType } });
}

function text(body: string, contentType = "text/plain; charset=utf-8"): Response {
  return new Response(body, { headers: { "content-type": contentType, "x-content-type-options": "nosniff" } });
}

const tableType = (v: string) => `application/json;as=Table;v=${v};g=meta.k8s.io`;

function aggregatedResponse(body: Obj, version: string): Response {
  return json(body, 200, `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`);
}

function withWarnings(res: Response, warnings: string[]): Response {
  if (warnings.length === 0) return res;
  const headers = new Headers(res.headers);
  for (const w of warnings) headers.append("Warning", `299 - ${JSON.stringify(w)}`);
  return new Response(res.body, { status: res.status, headers });
}

function parseDryRun(q: URLSearchParams): boolean {
  const values = q.getAll("dryRun");
  for (const v of values) if (v !== "All") throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  return values.length > 0;
}

/**
 * ValidateCreateOptions / ValidateUpdateOptions / ValidatePatchOptions on the query: an apply
 * needs a fieldManager and only an apply takes `force`; a fieldManager is at most 128 bytes of
 * printable characters.
 */
function checkWriteOptions(request: Request, q: URLSearchParams): void {
  const method = request.method;
  const kind = method === "POST" ? "CreateOptions" : method === "PUT" ? "UpdateOptions" : "PatchOptions";
  const contentType = (request.headers.get("content-type") ?? "").split(";")[0].trim();
  const fm = q.get("fieldManager") ?? "";
  const errs = [];
  if (method === "PATCH") {
    if (!APPLY_TYPES.includes(contentType)) {
      if (q.has("force")) errs.push(fieldForbidden("force", "may not be specified for non-apply patch"));
    } else if (!fm) errs.push(fieldRequired("fieldManager", "is required for apply patch"));
  }
  if (new TextEncoder().encode(fm).length > 128) errs.push(fieldTooLong("fieldManager", 128));
  for (const ch of fm) {
    if (ch !== " " && /[\p{C}\p{Z}]/u.test(ch)) {
      const code = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
      errs.push(fieldInvalid("fieldManager", fm, `invalid character ${code}`));
    }
  }
  if (errs.length) throw invalid(kind, "meta.k8s.io", "", errs);
}

/**
 * Run a write of a decoded body. workerd's stack is far smaller than Go's: an object within
 * MAX_DEPTH but some thousands deep can still overflow it where the engine walks it recursively
 * (JSON.stringify when storing, among others). That write is refused like a body past the limit
 * (`tooDeep`), and its transaction rolls back, instead of failing with 500.
 */
function storable<T>(write: () => T, tooDeep: () => Error): T {
  try {
    return write();
  } catch (e) {
    if (e instanceof RangeError) throw tooDeep();
    throw e;
  }
}

const bodyTooDeep = (def: ResourceDef) => () =>
  badRequest(
    `the object provided is unrecognized (must be of type ${def.kind}): couldn't get version/kind; json parse error: ${maxDepthMessage("{")}`,
  );

/** The body, read up to MAX_REQUEST_BYTES and no further (the apiserver's limitedReadBody). */
async function readBytes(request: Request): Promise<Uint8Array> {
  const tooLarge = () => new ApiError(413, "RequestEntityTooLarge", `Request entity too large: ${TOO_LARGE_DETAIL}`);
  if (Number(request.headers.get("content-length")) > MAX_REQUEST_BYTES) {
    // Tell the runtime the body will not be read, so the connection is not left waiting on it.
    await request.body?.cancel();
    throw tooLarge();
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > MAX_REQUEST_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes;
}

/** Parse a JSON text; a syntax error or nesting past MAX_DEPTH is reported through `fail` with
 *  the decoder's message. */
function parseJson(text: string, fail: (message: string) => Error): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw fail(goJsonSyntaxError((e as Error).message, text));
  }
  const bracket = deeperThan(value);
  if (bracket) throw fail(maxDepthMessage(bracket));
  return value;
}

/** V8's "Expected … in JSON at position N" messages, and encoding/json's words for the same place. */
const EXPECTED: [RegExp, string][] = [
  [/^Expected property name or '\}'/, "looking for beginning of object key string"],
  [/^Expected ':' after property name/, "after object key"],
  [/^Expected ',' or '\}' after property value/, "after object key:value pair"],
  [/^Expected ',' or '\]' after array element/, "after array element"],
  [/^Unexpected non-whitespace character after JSON/, "after top-level value"],
  [/^Bad control character in string literal/, "in string literal"],
];

/** encoding/json's words for a syntax error V8's JSON.parse reports in its own (`text`: what was parsed). */
export function goJsonSyntaxError(v8: string, text = ""): string {
  if (/^Unexpected end of JSON input|^Unterminated string/.test(v8)) return "unexpected end of JSON input";
  const at = /at position (\d+)/.exec(v8);
  for (const [pattern, where] of EXPECTED) {
    if (!pattern.test(v8) || !at) continue;
    const c = text[Number(at[1])];
    if (c === undefined) return "unexpected end of JSON input";
    return `invalid character ${JSON.stringify(c)
      .replace(/^"|"$/g, "'")
      .replace(/^'\\"'$/, "'\"'")} ${where}`;
  }
  const token = /^Unexpected (?:token|non-whitespace character)(?: '?(.)'?)?/.exec(v8)?.[1] ?? /"(.)"/.exec(v8)?.[1];
  return token ? `invalid character '${token}' looking for beginning of value` : v8;
}

/** A JSON body that is not an object to create (the scale subresource's Scale or a patch). */
async function readJson(request: Request, fail = (message: string) => badRequest(`error decoding patch: ${message}`)): Promise<any> {
  return parseJson(new TextDecoder().decode(await readBytes(request)), fail);
}

/** apiserver's summarizeData(body, 30): the start of the body shown after a decode error. */
function summarize(bytes: Uint8Array): string {
  if (bytes.length === 0) return "<empty>";
  const head = bytes.subarray(0, 30);
  const more = bytes.length > 30 ? " ..." : "";
  if (bytes[0] === 0x7b) return new TextDecoder().decode(head) + more;
  return Array.from(head, (b) => b.toString(16).padStart(2, "0")).join("") + more;
}

/**
 * Decode a request body in any of the media types the real server accepts (JSON, YAML, and the
 * Kubernetes protobuf that kubectl's typed clients send). `expect` names the type for messages.
 * Every body is refused past MAX_DEPTH, and a YAML body whose aliases would expand past
 * MAX_REQUEST_BYTES, before anything walks it.
 */
export async function decodeBody(request: Request, expect: string): Promise<Obj | undefined> {
  const ct = (request.headers.get("content-type") ?? "application/json").split(";")[0].trim();
  const bytes = await readBytes(request);
  if (bytes.length === 0) return undefined;
  // transformDecodeError: the decoder's error, then the start of the body.
  const unrecognized = (err: string) =>
    badRequest(`the object provided is unrecognized (must be of type ${expect}): ${err} (${summarize(bytes)})`);
  const jsonError = (message: string) => unrecognized(`couldn't get version/kind; json parse error: ${message}`);
  let body: unknown;
  if (ct === PROTOBUF_CONTENT_TYPE) {
    try {
      body = decodeKubernetesProtobuf(bytes);
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw unrecognized((e as Error).message);
    }
    const bracket = deeperThan(body);
    if (bracket) throw jsonError(maxDepthMessage(bracket));
  } else if (ct === "application/yaml") {
    body = decodeYaml(new TextDecoder().decode(bytes), unrecognized, jsonError);
  } else if (ct === "application/json" || ct === "") {
    body = parseJson(new TextDecoder().decode(bytes), jsonError);
  } else throw unsupportedMediaType(ct);
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw jsonError(
      `json: cannot unmarshal ${Array.isArray(body) ? "array" : typeof body} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`,
    );
  }
  return body as Obj;
}

/**
 * One YAML document as a value. go-yaml's own refusals come first, with its words: nesting past
 * MAX_DEPTH and aliases that expand past MAX_REQUEST_BYTES (a few anchors referenced many times
 * would otherwise become gigabytes once the object is serialised). Other parse errors keep the
 * `yaml` package's message in the JSON wrapper, as before.
 */
function decodeYaml(text: string, unrecognized: (err: string) => Error, jsonError: (message: string) => Error): unknown {
  const tooDeep = yamlFlowTooDeep(text);
  if (tooDeep) throw unrecognized(`yaml: ${tooDeep}`);
  // The yaml package composes recursively: past a few hundred levels in workerd its stack runs
  // out and it reports that as a parse error (a 400), never a crash.
  const doc = parseDocument(text);
  // sigs.k8s.io/yaml reads the first document of a body and ignores the rest, as the real server
  // does (the yaml package stops at the second and only complains).
  const error = doc.errors.find((e) => e.code !== "MULTIPLE_DOCS");
  if (error) throw unrecognized(`error converting YAML to JSON: ${goYamlError(error)}`);
  const { refusal, aliases } = yamlRefusal(doc.contents, text);
  if (refusal) throw unrecognized(`yaml: ${refusal}`);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: -1 }); // aliases were bounded by size above
  } catch (e) {
    throw jsonError((e as Error).message);
  }
  // An alias is the same JS value at each place it is used: a tree of its own for each, so that
  // pruning or defaulting one place does not change another.
  return aliases > 0 ? JSON.parse(JSON.stringify(value)) : value;
}

/** A parse error as go-yaml words its own: `yaml: line N: <what>` (the yaml package's text, less
 *  its position and excerpt). */
function goYamlError(e: { message: string; linePos?: [{ line: number }, ...unknown[]] }): string {
  const what = e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
  return `yaml: line ${e.linePos?.[0].line ?? 1}: ${what.charAt(0).toLowerCase()}${what.slice(1)}`;
}

/** go-yaml's error for a document nested past MAX_DEPTH or whose aliases expand past
 *  MAX_REQUEST_BYTES (`refusal`), and how many aliases it has. Walks the syntax tree with an
 *  explicit stack; each alias counts the expanded size of the node it names (computed once, as
 *  nodes finish). */
function yamlRefusal(root: unknown, text: string): { refusal?: string; aliases: number } {
  const size = new Map<unknown, number>();
  const anchors = new Map<string, unknown>();
  let aliasBytes = 0;
  let aliases = 0;
  const stack: { node: unknown; depth: number; done: boolean }[] = [{ node: root, depth: 1, done: false }];
  const sizeOf = (n: unknown) => size.get(n) ?? 4; // an empty node is null
  while (stack.length > 0) {
    const { node, depth, done } = stack.pop()!;
    if (isMap(node) || isSeq(node)) {
      if (done) {
        const parts = isMap(node) ? node.items.map((p) => sizeOf(p.key) + 1 + sizeOf(p.value)) : node.items.map(sizeOf);
        size.set(node, 2 + parts.reduce((a, b) => a + b, 0) + Math.max(0, parts.length - 1));
        continue;
      }
      if (depth > MAX_DEPTH) return { refusal: `${yamlLine(text, node.range?.[0] ?? 0)}exceeded max depth of ${MAX_DEPTH}`, aliases };
      if (node.anchor) anchors.set(node.anchor, node);
      stack.push({ node, depth, done: true });
      const children = isMap(node) ? node.items.flatMap((p) => [p.key, p.value]) : node.items;
      for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], depth: depth + 1, done: false });
    } else if (isScalar(node)) {
      if (node.anchor) anchors.set(node.anchor, node);
      const v = node.value;
      size.set(node, typeof v === "string" ? v.length + 2 : String(v ?? "null").length);
    } else if (isAlias(node)) {
      // The anchor's own subtree (a cycle) has no size yet; the yaml package refuses it later.
      const expanded = size.get(anchors.get(node.source)) ?? 0;
      aliases++;
      aliasBytes += expanded;
      if (aliasBytes > MAX_REQUEST_BYTES) return { refusal: "document contains excessive aliasing", aliases };
      size.set(node, expanded);
    }
  }
  return { aliases };
}

/**
 * go-yaml's scanner error for flow collections (`[`, `{`) nested past MAX_DEPTH, found with the
 * yaml package's lexer (iterative, and it tells flow indicators from brackets inside scalars)
 * before anything recursive sees the text. Block nesting needs no check: indenting 10000 levels
 * takes far more than MAX_REQUEST_BYTES.
 */
function yamlFlowTooDeep(text: string): string | undefined {
  let brackets = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) brackets++;
  }
  if (brackets <= MAX_DEPTH) return undefined; // the common case: no need to lex
  let level = 0;
  let line = 1;
  for (const token of new Lexer().lex(text)) {
    if (token === "[" || token === "{") {
      if (++level > MAX_DEPTH) return `${line > 1 ? `line ${line}: ` : ""}exceeded max depth of ${MAX_DEPTH}`;
    } else if (token === "]" || token === "}") level = Math.max(0, level - 1);
    else for (let i = token.indexOf("\n"); i >= 0; i = token.indexOf("\n", i + 1)) line++;
  }
  return undefined;
}

/** go-yaml's `line N: ` before a parser error, absent on the first line. */
function yamlLine(text: string, offset: number): string {
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line > 1 ? `line ${line}: ` : "";
}

/** Decode a create/update body, checking its apiVersion and kind like the real decoder. */
async function readBody(request: Request, def: ResourceDef): Promise<Obj> {
  const obj = await decodeBody(request, def.kind);
  if (!obj)
    throw badRequest(
      `the object provided is unrecognized (must be of type ${def.kind}): couldn't get version/kind; json parse error: unexpected end of JSON input`,
    );
  const want = apiVersionOf(def);
  if (obj.kind && obj.kind !== def.kind) {
    throw badRequest(
      `${obj.kind} in version "${String(obj.apiVersion ?? "")
        .split("/")
        .pop()}" cannot be handled as a ${def.kind}: no kind "${obj.kind}" is registered for version "${obj.apiVersion}" in scheme "k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30"`,
    );
  }
  if (obj.apiVersion && obj.apiVersion !== want) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${want})`);
  }
  return obj;
}

async function deleteOptions(request: Request, q: URLSearchParams, dryRun: boolean): Promise<DeleteOptions> {
  const body: Obj = (request.body ? await decodeBody(request, "DeleteOptions") : undefined) ?? {};
  const grace = q.get("gracePeriodSeconds") ?? body.gracePeriodSeconds;
  const policy =
    q.get("propagationPolicy") ??
    body.propagationPolicy ??
    (body.orphanDependents === true || queryBool(q, "orphanDependents") ? "Orphan" : undefined);
  if (policy && !["Orphan", "Background", "Foreground"].includes(policy)) {
    throw new ApiError(
      422,
      "Invalid",
      `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`,
    );
  }
  if (grace !== undefined && grace !== null && !Number.isInteger(Number(grace)))
    throw badRequest(`gracePeriodSeconds: Invalid value: ${grace}`);
  return {
    dryRun: dryRun || (body.dryRun ?? []).includes("All"),
    gracePeriodSeconds: grace === undefined || grace === null ? undefined : Math.max(0, Number(grace)),
    propagationPolicy: policy,
    preconditions: body.preconditions,
  };
}

export function getPath(obj: Obj, path: string): any {
  return path.split(".").reduce<any>((o, k) => (o == null ? undefined : o[k]), obj);
}

function setPath(obj: Obj, path: string, value: unknown): void {
  const keys = path.split(".");
  let o = obj;
  for (const k of keys.slice(0, -1)) o = o[k] ??= {};
  o[keys[keys.length - 1]] = value;
}
