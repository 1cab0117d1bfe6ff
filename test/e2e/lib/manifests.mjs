// The tutorials' manifests (shared/seeds), byte for byte, for the e2e tests that replay them.

/** 000: the first Pod. */
export const MYAPP_POD = `apiVersion: v1
kind: Pod
metadata:
  name: myapp
spec:
  containers:
  - name: myapp
    image: username/myapp:0.0.1
    ports:
    - containerPort: 80
      protocol: TCP
`;

/** 003: the nginx ReplicationController with 2 replicas (trailing spaces as in the tutorial). */
export const NGINX_RC = `apiVersion: v1 
kind: ReplicationController 
metadata: 
  name: nginx-controller 
spec: 
  replicas: 2 
  selector: 
    name: nginx 
  template: 
    metadata: 
      labels: 
        name: nginx 
    spec: 
      containers: 
        - name: nginx
          image: nginx
          ports: 
            - containerPort: 80
`;

// 003: the ClusterIP Service in front of the nginx RC (port 8001 → targetPort 80).
export const NGINX_SVC = `apiVersion: v1 
kind: Service 
metadata: 
  name: nginx-service-clusterip 
spec: 
  ports: 
    - port: 8001 
      targetPort: 80 
      protocol: TCP 
  selector: 
    name: nginx
`;
