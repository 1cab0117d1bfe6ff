// The in-cluster client controllers write through: the same registry (defaulting, strategies,
// validation, finalizers) the API server uses, addressed by plural like client-go's typed clients.
import type { Obj, ResourceDef } from "../resources/types";
import { byPlural, type ResourceTable } from "../resources";
import type { DeleteOptions, Registry } from "../api/registry";
import { ApiError } from "../api/status";
import { filesOf, type FileStore } from "../nodes/runtime/files";
import { tokensOf, type ServiceAccountTokens } from "../api/tokens";

export { resourceName } from "../resources";

export class Client {
  constructor(private readonly registry: Registry) {}

  /** The kinds this cluster serves, its custom resources included. */
  get table(): ResourceTable {
    return this.registry.table;
  }

  /** A built-in kind by plural, or a custom kind by `<plural>.<group>` (at its storage version). */
  private def(resource: string): ResourceDef {
    const d = byPlural(resource) ?? this.registry.table.all.find((x) => !x.convert && `${x.plural}.${x.group}` === resource);
    if (!d) throw new Error(`unknown resource ${resource}`);
    return d;
  }

  /** The cluster's stored container files (durable/nodes/runtime/files.ts), for the containers' filesystems. */
  get files(): FileStore | undefined {
    return filesOf(this.registry);
  }

  /** The cluster's service-account token signer (durable/api/tokens.ts). */
  get tokens(): ServiceAccountTokens | undefined {
    return tokensOf(this.registry);
  }

  get(plural: string, namespace: string | undefined, name: string): Obj | undefined {
    return this.registry.read(this.def(plural), namespace, name);
  }

  /** get() for a reader that changes nothing: from the store's cache, as list() is, shared and frozen. */
  current(plural: string, namespace: string | undefined, name: string): Obj | undefined {
    return this.registry.readCurrent(this.def(plural), namespace, name);
  }

  list(plural: string, namespace?: string, filter?: (o: Obj) => boolean): Obj[] {
    const items = this.registry.listRaw(this.def(plural), namespace);
    return filter ? items.filter(filter) : items;
  }

  create(plural: string, obj: Obj): Obj {
    return this.registry.create(this.def(plural), obj.metadata?.namespace, obj);
  }

  /** Create unless it exists (bootstrap, idempotent reconciles); returns the stored object. */
  ensure(plural: string, obj: Obj): Obj {
    return this.get(plural, obj.metadata?.namespace, obj.metadata.name) ?? this.create(plural, obj);
  }

  update(plural: string, obj: Obj): Obj {
    return this.registry.update(this.def(plural), obj.metadata?.namespace, obj.metadata.name, obj).obj;
  }

  updateStatus(plural: string, obj: Obj): Obj {
    return this.registry.update(this.def(plural), obj.metadata?.namespace, obj.metadata.name, obj, { subresource: "status" }).obj;
  }

  /**
   * Read-modify-write. `mutate` changes the object in place (or returns a replacement); returns the
   * stored result, or undefined when the object does not exist. `status` writes the status subresource,
   * `subresource` another one (e.g. "finalize").
   */
  patch(
    plural: string,
    namespace: string | undefined,
    name: string,
    mutate: (obj: Obj) => Obj | void,
    opts: { status?: boolean; subresource?: string } = {},
  ): Obj | undefined {
    try {
      return this.registry.mutate(
        this.def(plural),
        namespace,
        name,
        (current) => {
          delete current.metadata.resourceVersion; // internal writers are unconditional
          return mutate(current) ?? current;
        },
        { subresource: opts.status ? "status" : opts.subresource },
      );
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return undefined;
      throw e;
    }
  }

  /** Delete; returns false when it was already gone. */
  delete(plural: string, namespace: string | undefined, name: string, opts: DeleteOptions = {}): boolean {
    try {
      this.registry.delete(this.def(plural), namespace, name, opts);
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return false;
      throw e;
    }
  }
}
