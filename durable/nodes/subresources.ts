// Pod subresources served by the simulated control plane rather than the generic engine:
// pods/binding (the scheduler's bind) and pods/eviction (drain). (To be implemented.)
import type { SubresourceHandler } from "../api/server";
import type { Registry } from "../api/registry";

export function podSubresources(_registry: Registry, _transaction: <T>(fn: () => T) => T): Record<string, SubresourceHandler> {
  return {};
}
