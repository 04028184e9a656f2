#!/usr/bin/env bash
# Renders the Kubernetes manifests of one distributed soapload run to stdout:
#   scripts/kubernetes/render.sh N START SCRIPT.lua [IMAGE] > run.yaml
# N segments (an Indexed Job of N pods, all running at once) start the one schedule at START
# (RFC 3339 with a zone, e.g. 2026-11-27T15:30:00Z, or epoch seconds), each taking its share
# (soapload --segment I/N) of the script's load. How the results meet (RESULTS):
#   push (default): no storage at all. The merge Job runs `soapload merge --listen` behind the
#     Service soapload-merge; each segment POSTs its result JSON there at the end
#     (--json-to), with a bearer token from the Secret soapload-token, a random one made here.
#     The merge prints the merged summary to its log and serves /merged.json and /report.html
#     for an hour (kubectl port-forward).
#   pvc: each segment writes /results/seg-I.json on a ReadWriteMany PersistentVolumeClaim;
#     the merge Job waits for the N files and merges them there (STORAGE_CLASS: an RWX class;
#     default: the cluster's default class; RESULTS_SIZE, default 1Gi).
# Also: the script as a ConfigMap, soapload-mock as a Deployment + Service (the target when
# TARGET_URL is not set), and the segments' live /metrics on port 9464 with the pod annotations
# prometheus.io/scrape, /port, /path (MONITOR=podmonitor adds a Prometheus Operator PodMonitor).
# Every container runs as uid 10001, without privileges or capabilities, on a read-only root,
# with resource requests and limits: SEGMENT_CPU (default 1) and SEGMENT_MEMORY (512Mi) for
# each segment (requests = limits: a throttled load generator sends late).
# Environment: NAMESPACE (default "default"), TARGET_URL, RESULTS, MONITOR, SEGMENT_CPU,
# SEGMENT_MEMORY, STORAGE_CLASS, RESULTS_SIZE.
set -euo pipefail

usage() {
    echo "usage: $0 N START SCRIPT.lua [IMAGE]" >&2
    echo "  N      segments (pods), 1 to 1000" >&2
    echo "  START  the common start: RFC 3339 with a zone (2026-11-27T15:30:00Z) or epoch seconds" >&2
    echo "  IMAGE  built from scripts/kubernetes/Containerfile (default soapload:latest)" >&2
    exit 2
}
[ $# -ge 3 ] && [ $# -le 4 ] || usage
n=$1 start=$2 script=$3 image=${4:-soapload:latest}
ns=${NAMESPACE:-default}
target=${TARGET_URL:-http://soapload-mock.$ns.svc:8000/soap/endpoint}
results=${RESULTS:-push}
monitor=${MONITOR:-annotations}
cpu=${SEGMENT_CPU:-1} memory=${SEGMENT_MEMORY:-512Mi}
size=${RESULTS_SIZE:-1Gi}
case $n in '' | *[!0-9]* | 0*) echo "$0: N must be a whole number from 1 to 1000, not '$n'" >&2; exit 2 ;; esac
[ "$n" -le 1000 ] || { echo "$0: N must be at most 1000, not $n" >&2; exit 2; }
# Every value below goes into the YAML (and START into the pods' shell command) as is: each
# is checked for the characters its kind has, so that none can end a line, a quoted string or
# the command and add fields of its own.
case $start in
    *[!0-9TtZz:.+-]*) start_ok=no ;;
    [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][Tt]*[Zz] | [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][Tt]*[+-][0-9][0-9]:[0-9][0-9]) start_ok=yes ;;
    *[!0-9.]* | '' | .*) start_ok=no ;;
    *) start_ok=yes ;;
esac
[ "$start_ok" = yes ] || { echo "$0: START must be RFC 3339 with a zone or epoch seconds, not '$start'" >&2; exit 2; }
[ -r "$script" ] || { echo "$0: cannot read the script $script" >&2; exit 2; }
case $image in *[!A-Za-z0-9./:@_-]*) echo "$0: bad image name '$image'" >&2; exit 2 ;; esac
case $ns in
    '' | *[!a-z0-9-]* | -* | *-) echo "$0: NAMESPACE must be a DNS label (a-z, 0-9, '-'), not '$ns'" >&2; exit 2 ;;
esac
[ ${#ns} -le 63 ] || { echo "$0: NAMESPACE must be at most 63 characters" >&2; exit 2; }
# RFC 3986's characters, no quote, backslash, space or control character
case $target in
    http://?* | https://?*) ;;
    *) echo "$0: TARGET_URL must be an http:// or https:// URL, not '$target'" >&2; exit 2 ;;
esac
case $target in *[!A-Za-z0-9._~:/?#@!\$\&\'\(\)*+,\;=%\[\]-]*) echo "$0: TARGET_URL has a character a URL cannot have (RFC 3986): '$target'" >&2; exit 2 ;; esac
case ${STORAGE_CLASS:-x} in *[!a-z0-9.-]*) echo "$0: bad STORAGE_CLASS '$STORAGE_CLASS': a-z, 0-9, '.', '-'" >&2; exit 2 ;; esac
case $results in push | pvc) ;; *) echo "$0: RESULTS must be push or pvc, not '$results'" >&2; exit 2 ;; esac
case $monitor in annotations | podmonitor) ;; *) echo "$0: MONITOR must be annotations or podmonitor, not '$monitor'" >&2; exit 2 ;; esac
for q in "$cpu" "$memory" "$size"; do
    case $q in '' | *[!0-9.a-zA-Z]*) echo "$0: bad quantity '$q' for SEGMENT_CPU, SEGMENT_MEMORY or RESULTS_SIZE" >&2; exit 2 ;; esac
done
# The script goes in the ConfigMap as text when it is printable ASCII, tabs and newlines only
# (a literal block with its indentation given: a first line that starts with spaces would
# otherwise set a deeper one); anything else (a CR, which YAML reads as a line break, UTF-8,
# control bytes) goes as binaryData, base64, byte for byte.
if [ "$(LC_ALL=C tr -d '\t\n\040-\176' < "$script" | wc -c)" -eq 0 ]; then
    script_data="data:
  script.lua: |2
$(sed 's/^/    /' "$script")"
else
    script_data="binaryData:
  script.lua: $(base64 < "$script" | tr -d '\n')"
fi
# its name, in a comment: what could end the comment's line is replaced
script_name=$(printf '%s' "$(basename -- "$script")" | LC_ALL=C tr -c 'A-Za-z0-9._ -' '?')

# The pods' commands, one line each: the Job's pods run them with JOB_COMPLETION_INDEX set,
# and the local simulation (tests/spec/segment_spec.lua) runs exactly these lines.
segment="soapload --segment \"\$JOB_COMPLETION_INDEX/$n\" --start-at $start --url \"\$TARGET_URL\" --json \"/results/seg-\$JOB_COMPLETION_INDEX.json\""
if [ "$results" = push ]; then
    pod_command="exec $segment --json-to \"\$RESULTS_URL\" --json-to-token-file /token/token --json-to-retry 5m --metrics 0.0.0.0:9464 --metrics-linger 30s --progress never /script/script.lua"
    merge_command="exec soapload merge --listen 0.0.0.0:8080 --expect $n --token-file /token/token --deadline 5m --serve-for 1h --json /results/merged.json --html /results/report.html"
else
    pod_command="exec $segment --metrics 0.0.0.0:9464 --metrics-linger 30s --progress never /script/script.lua"
    merge_command="until [ \"\$(ls /results/seg-*.json 2>/dev/null | wc -l)\" -ge $n ]; do sleep 2; done; soapload merge /results/seg-*.json --json /results/merged.json --html /results/report.html; code=\$?; echo \"merge exit code \$code; the report stays for kubectl cp for 1 h\"; sleep 3600; exit \$code"
fi

# the pods' security: uid 10001 (the image's user), no privilege, no capability, read-only root
pod_security="{runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: {type: RuntimeDefault}}"
container_security="{allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: {drop: [ALL]}}"
if [ "$results" = push ]; then
    results_volume="emptyDir: {}"
    token_mount="
            - {name: token, mountPath: /token, readOnly: true}"
    token_volume="
        - name: token
          secret: {secretName: soapload-token, defaultMode: 288} # 0440: the group is fsGroup"
else
    results_volume="persistentVolumeClaim: {claimName: soapload-results}"
    token_mount="" token_volume=""
fi

cat <<YAML
# soapload: $n segments starting at $start, script $script_name, image $image,
# results $results; rendered by scripts/kubernetes/render.sh
apiVersion: v1
kind: ConfigMap
metadata:
  name: soapload-script
  namespace: $ns
  labels: {app.kubernetes.io/name: soapload}
$script_data
YAML

if [ "$results" = push ]; then
    # 32 random bytes in hex: only pods that mount the Secret can post a result
    token=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
    cat <<YAML
---
apiVersion: v1
kind: Secret
metadata:
  name: soapload-token
  namespace: $ns
  labels: {app.kubernetes.io/name: soapload}
type: Opaque
stringData:
  token: "$token"
---
apiVersion: v1
kind: Service
metadata:
  name: soapload-merge
  namespace: $ns
  labels: {app.kubernetes.io/name: soapload-merge}
spec:
  selector: {app.kubernetes.io/name: soapload-merge}
  ports:
    - {name: results, port: 8080, targetPort: results, protocol: TCP}
YAML
else
    storage_class=""
    [ -z "${STORAGE_CLASS:-}" ] || storage_class="
  storageClassName: $STORAGE_CLASS"
    cat <<YAML
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: soapload-results
  namespace: $ns
  labels: {app.kubernetes.io/name: soapload}
spec:
  accessModes: [ReadWriteMany]$storage_class
  resources:
    requests:
      storage: $size
YAML
fi

cat <<YAML
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: soapload-mock
  namespace: $ns
  labels: {app.kubernetes.io/name: soapload-mock}
spec:
  replicas: 1
  selector:
    matchLabels: {app.kubernetes.io/name: soapload-mock}
  template:
    metadata:
      labels: {app.kubernetes.io/name: soapload-mock}
    spec:
      automountServiceAccountToken: false
      securityContext: $pod_security
      containers:
        - name: soapload-mock
          image: $image
          command: [soapload-mock, --host, 0.0.0.0, --port, "8000"]
          ports:
            - {name: http, containerPort: 8000, protocol: TCP}
          readinessProbe:
            httpGet: {path: /stats, port: http}
          resources:
            requests: {cpu: 250m, memory: 64Mi}
            limits: {cpu: "2", memory: 256Mi}
          securityContext: $container_security
---
apiVersion: v1
kind: Service
metadata:
  name: soapload-mock
  namespace: $ns
  labels: {app.kubernetes.io/name: soapload-mock}
spec:
  selector: {app.kubernetes.io/name: soapload-mock}
  ports:
    - {name: http, port: 8000, targetPort: http, protocol: TCP}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: soapload
  namespace: $ns
  labels: {app.kubernetes.io/name: soapload}
spec:
  completionMode: Indexed
  completions: $n
  parallelism: $n
  # a segment run again after the start would find --start-at in the past: no retries
  backoffLimit: 0
  ttlSecondsAfterFinished: 86400
  template:
    metadata:
      labels: {app.kubernetes.io/name: soapload}
      annotations: # a plain Prometheus's kubernetes-pods job scrapes the live /metrics
        prometheus.io/scrape: "true"
        prometheus.io/port: "9464"
        prometheus.io/path: /metrics
    spec:
      restartPolicy: Never
      automountServiceAccountToken: false
      securityContext: $pod_security
      containers:
        - name: soapload
          image: $image
          command:
            - /bin/sh
            - -c
            - '${pod_command//\'/\'\'}'
          env:
            # set by the Job controller too; spelled out for clusters before 1.22
            - name: JOB_COMPLETION_INDEX
              valueFrom:
                fieldRef: {fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']"}
            - {name: TARGET_URL, value: "$target"}
            - {name: RESULTS_URL, value: "http://soapload-merge.$ns.svc:8080/results"}
          ports:
            - {name: metrics, containerPort: 9464, protocol: TCP}
          resources:
            requests: {cpu: "$cpu", memory: "$memory"}
            limits: {cpu: "$cpu", memory: "$memory"}
          volumeMounts:
            - {name: script, mountPath: /script, readOnly: true}
            - {name: results, mountPath: /results}$token_mount
            - {name: tmp, mountPath: /tmp} # the run's spool files: the root is read-only
          securityContext: $container_security
      volumes:
        - name: tmp
          emptyDir: {}
        - name: script
          configMap: {name: soapload-script}
        - name: results
          $results_volume$token_volume
---
apiVersion: batch/v1
kind: Job
metadata:
  name: soapload-merge
  namespace: $ns
  labels: {app.kubernetes.io/name: soapload-merge}
spec:
  completions: 1
  parallelism: 1
  backoffLimit: 0
  ttlSecondsAfterFinished: 86400
  template:
    metadata:
      labels: {app.kubernetes.io/name: soapload-merge}
    spec:
      restartPolicy: Never
      automountServiceAccountToken: false
      securityContext: $pod_security
      containers:
        - name: merge
          image: $image
          command:
            - /bin/sh
            - -c
            - '${merge_command//\'/\'\'}'
YAML
if [ "$results" = push ]; then
    cat <<YAML
          ports:
            - {name: results, containerPort: 8080, protocol: TCP}
          readinessProbe:
            httpGet: {path: /status, port: results}
YAML
fi
cat <<YAML
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: "1", memory: 1Gi}
          volumeMounts:
            - {name: results, mountPath: /results}$token_mount
            - {name: tmp, mountPath: /tmp}
          securityContext: $container_security
      volumes:
        - name: tmp
          emptyDir: {}
        - name: results
          $results_volume$token_volume
YAML
if [ "$monitor" = podmonitor ]; then
    cat <<YAML
---
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata:
  name: soapload
  namespace: $ns
  labels: {app.kubernetes.io/name: soapload}
spec:
  selector:
    matchLabels: {app.kubernetes.io/name: soapload}
  podMetricsEndpoints:
    - {port: metrics, path: /metrics, interval: 5s}
YAML
fi
