// The kubeplay Worker: the stateless edge in front of one Cluster Durable Object per session.
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { expireSession } from "./auth";
import { clusters, forwardByToken } from "./clusters";
import type { AppEnv, Env } from "./env";
import { overdueSessions } from "./registry";
import { sessions } from "./sessions";
import { nodes } from "./nodes";
import { workstation } from "./workstation";
import { labs, labTools } from "./labs";
import { courseRoutes, frameAncestors } from "./courses";
import { BODY_LIMIT, notFound, status, statusResponse, tooLarge } from "./status";

export { Cluster } from "../durable/cluster";

const app = new Hono<AppEnv>();

app.use("*", bodyLimit({ maxSize: BODY_LIMIT, onError: () => tooLarge() }));

app.get("/healthz", (c) => c.text("ok"));
// The session page; the id is read from the path in the page, the token from its fragment.
app.get("/s/:id", (c) => c.env.ASSETS.fetch(new Request(new URL("/session", c.req.url))));
// The same page framed by a course site: it starts the lab's session itself (or, as a playground, a
// cluster with only the terminal and the map). Framing is allowed for
// the EMBED_ORIGINS allow-list (any site by default), or its course's origins when it names a course
// (?course=KEY); every other page may be framed by no one.
const embedPage = async (c: Context<AppEnv>) => {
  const page = await c.env.ASSETS.fetch(new Request(new URL("/session", c.req.url)));
  const res = new Response(page.body, page);
  res.headers.set("content-security-policy", `frame-ancestors ${frameAncestors(c)}`);
  res.headers.set("cache-control", "no-store");
  return res;
};
app.get("/embed/lab/:name", embedPage);
app.get("/embed/playground", embedPage);
app.route("/api/sessions", sessions);
app.route("/api/sessions", nodes);
app.route("/api/sessions", workstation);
app.route("/api/sessions", labs);
app.route("/api/labs", labTools);
app.route("/api/courses", courseRoutes);
app.route("/clusters", clusters);
for (const path of [
  "/api",
  "/api/v1",
  "/api/v1/*",
  "/apis",
  "/apis/*",
  "/version",
  "/openapi/*",
  "/livez",
  "/livez/*",
  "/readyz",
  "/readyz/*",
  "/metrics",
])
  app.all(path, forwardByToken);

app.notFound(() => notFound());
app.onError((err) => {
  console.error(err);
  return statusResponse(status(500, "InternalError", `Internal error occurred: ${err.message}`));
});

/** Cron sweep: sessions whose expiry passed but whose registry row still says live (alarm missed, etc.). */
async function sweep(env: Env): Promise<void> {
  const ids = await overdueSessions(env.DB, new Date());
  const results = await Promise.allSettled(ids.map((id) => expireSession(env, id)));
  const failed = results.filter((r) => r.status === "rejected").length;
  if (ids.length) console.log(`sweep: expired ${ids.length - failed} session(s), ${failed} failed`);
}

export default {
  fetch: app.fetch,
  scheduled(_controller, env, ctx) {
    ctx.waitUntil(sweep(env));
  },
} satisfies ExportedHandler<Env>;
