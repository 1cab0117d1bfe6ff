// kubeplay's embed script (docs/embed.md). On a course page:
//   <div data-kubeplay-lab="hello-node"></div>      (or <div data-kubeplay-playground></div>: a cluster,
//   <script src="https://<kubeplay>/embed.js"></script>                 its terminal and map, no lab)
// data-kubeplay-course="KEY" starts it under a course (its quota, its teacher's view);
// data-kubeplay-lifetime="90m" sets how long its cluster lives (at most the server's longest).
// Each such element gets the lab runner in an iframe as wide as the element (data-height sets its
// height, data-theme "light" or "dark" its colours), and the lab's progress as DOM events on the
// element: kubeplay:session-started, kubeplay:step-verified, kubeplay:lab-completed,
// kubeplay:session-expired (event.detail is the message). Only messages from kubeplay's origin and
// from that element's own frame are passed on; the session's token never leaves the frame.
(() => {
  const script = document.currentScript;
  if (!script) return;
  const origin = new URL(script.src).origin;
  const frames = new Map();
  window.addEventListener("message", (event) => {
    const el = frames.get(event.source);
    if (!el || event.origin !== origin || event.data?.source !== "kubeplay" || typeof event.data.type !== "string") return;
    el.dispatchEvent(new CustomEvent(`kubeplay:${event.data.type}`, { detail: event.data, bubbles: true }));
  });
  for (const el of document.querySelectorAll("[data-kubeplay-lab], [data-kubeplay-playground]")) {
    if (el.querySelector("iframe.kubeplay")) continue;
    const lab = el.getAttribute("data-kubeplay-lab");
    const url = new URL(lab ? `/embed/lab/${encodeURIComponent(lab)}` : "/embed/playground", origin);
    const course = el.getAttribute("data-kubeplay-course");
    if (course) url.searchParams.set("course", course);
    const lifetime = el.getAttribute("data-kubeplay-lifetime");
    if (lifetime) url.searchParams.set("lifetime", lifetime);
    const theme = el.getAttribute("data-theme");
    if (theme === "light" || theme === "dark") url.searchParams.set("theme", theme);
    const frame = document.createElement("iframe");
    frame.className = "kubeplay";
    frame.src = url.href;
    frame.title = lab ? `kubeplay lab: ${lab}` : "kubeplay playground";
    frame.allow = "clipboard-write";
    frame.style.cssText = `display:block;width:100%;height:${el.getAttribute("data-height") || "720px"};border:0;border-radius:8px`;
    el.replaceChildren(frame);
    frames.set(frame.contentWindow, el);
  }
})();
