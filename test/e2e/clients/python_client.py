"""Debian's python3-kubernetes against a kubeplay cluster, as a user's script drives it.

Usage: python_client.py KUBECONFIG COMMAND ARGS...
  watch NAMESPACE SELECTOR COUNT  print "TYPE NAME PHASE" per event until COUNT pods are Running
  exec NAMESPACE POD ARGV...      print the command's output (stdout and stderr)
  portforward NAMESPACE POD PORT  send one HTTP GET through a port-forward, print the answer
"""
import sys

from kubernetes import client, config, watch
from kubernetes.stream import stream


def main(kubeconfig, command, *args):
    config.load_kube_config(config_file=kubeconfig)
    v1 = client.CoreV1Api()
    if command == "watch":
        namespace, selector, count = args
        running = set()
        w = watch.Watch()
        for event in w.stream(v1.list_namespaced_pod, namespace, label_selector=selector, timeout_seconds=60):
            pod = event["object"]
            print(event["type"], pod.metadata.name, pod.status.phase, flush=True)
            if pod.status.phase == "Running" and event["type"] != "DELETED":
                running.add(pod.metadata.name)
            else:
                running.discard(pod.metadata.name)
            if len(running) >= int(count):
                w.stop()
        print("running", len(running))
    elif command == "exec":
        namespace, pod, *argv = args
        out = stream(v1.connect_get_namespaced_pod_exec, pod, namespace, command=argv, stdout=True, stderr=True, stdin=False, tty=False)
        sys.stdout.write(out)
    elif command == "portforward":
        from kubernetes.stream import portforward

        namespace, pod, port = args
        pf = portforward(v1.connect_get_namespaced_pod_portforward, pod, namespace, ports=port)
        sock = pf.socket(int(port))
        sock.setblocking(True)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: python\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        sock.close()
        sys.stdout.write(data.decode())
        error = pf.error(int(port))
        if error:
            sys.stderr.write(error)
            sys.exit(1)
    else:
        sys.exit("unknown command " + command)


if __name__ == "__main__":
    main(*sys.argv[1:])
