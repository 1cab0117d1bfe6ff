// Who a request speaks for. Every session token is the cluster's admin, as kubeadm's admin.conf
// (since v1.29 in the kubeadm:cluster-admins group); kubectl's --as/--as-group impersonate another
// user (Impersonate-* headers, api/authz.ts), and pods speak with their service-account tokens.
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export const ADMIN: UserInfo = { username: "kubernetes-admin", groups: ["kubeadm:cluster-admins", "system:authenticated"] };
