// Who a request speaks for. Every session token is the cluster's admin, as kubeadm's admin.conf
// (since v1.29 in the kubeadm:cluster-admins group); kubectl's --as/--as-group impersonate another
// user (Impersonate-* headers), which only the review kinds (auth can-i, auth whoami) honour.
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
}

export const ADMIN: UserInfo = { username: "kubernetes-admin", groups: ["kubeadm:cluster-admins", "system:authenticated"] };

/** The user of a request: the admin, or whom the Impersonate-* headers name (with the groups the
 *  API server adds: a service account's, then system:authenticated). */
export function requestUser(headers: Headers): UserInfo {
  const user = headers.get("impersonate-user");
  if (!user) return ADMIN;
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user);
  const groups = sa ? ["system:serviceaccounts", `system:serviceaccounts:${sa[1]}`] : [];
  groups.push(
    ...(headers.get("impersonate-group") ?? "")
      .split(",")
      .map((g) => g.trim())
      .filter(Boolean),
  );
  if (user !== "system:anonymous" && !groups.includes("system:authenticated")) groups.push("system:authenticated");
  const uid = headers.get("impersonate-uid") ?? undefined;
  return { username: user, ...(uid ? { uid } : {}), groups };
}
