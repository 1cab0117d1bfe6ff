// The Cluster Durable Object: one simulated Kubernetes cluster per session.
// (Work in progress: the API server core is being written; this stub holds the RPC contract.)
import { DurableObject } from "cloudflare:workers";
import type { SessionInfo, SessionInit } from "./contract";

export interface ClusterEnv {
  MAX_OBJECTS_PER_CLUSTER?: string;
}

export class Cluster extends DurableObject<ClusterEnv> {
  async init(params: SessionInit): Promise<SessionInfo> {
    const info: SessionInfo = {
      id: params.id,
      createdAt: params.createdAt,
      expiresAt: params.expiresAt,
      nodes: params.nodes.map((n, i) => ({ role: n.role, name: i === 0 ? "controlplane" : `node${String(i).padStart(2, "0")}` })),
      clock: params.clock ?? "realistic",
      objects: 0,
    };
    await this.ctx.storage.put("session", info);
    await this.ctx.storage.setAlarm(Date.parse(params.expiresAt));
    return info;
  }
  async info(): Promise<SessionInfo | null> {
    return (await this.ctx.storage.get<SessionInfo>("session")) ?? null;
  }
  async destroy(): Promise<void> {
    await this.ctx.storage.deleteAll();
    await this.ctx.storage.deleteAlarm();
  }
  override async alarm(): Promise<void> {
    const info = await this.info();
    if (info && Date.parse(info.expiresAt) <= Date.now()) await this.destroy();
  }
  override async fetch(request: Request): Promise<Response> {
    return Response.json({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "not implemented", reason: "NotFound", code: 404 }, { status: 404 });
  }
}
