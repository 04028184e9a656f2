#!/usr/bin/env bash
# Renders the Kubernetes manifests of one distributed soapload run to stdout:
#   scripts/kubernetes/render.sh N START SCRIPT.lua [IMAGE] > run.yaml
# N segments (an Indexed Job of N pods, all running at once) start the one schedule at START
# (RFC 3339 with a zone, e.g. 2026-11-27T15:30:00Z, or epoch seconds), each taking its share
# (soapload --segment I/N) of the script's load; each writes /results/seg-I.json on a
# ReadWriteMany volume, and the merge Job waits for all N of them, merges them into
# /results/merged.json and /results/report.html and prints the merged summary to its log.
# Also: the script as a ConfigMap, and soapload-mock as a Deployment + Service (the target
# when the script names none: set TARGET_URL to load another service).
# Environment: NAMESPACE (default "default"), TARGET_URL (default the in-cluster mock),
# STORAGE_CLASS (an RWX class; default: the cluster's default class), RESULTS_SIZE (1Gi).
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
size=${RESULTS_SIZE:-1Gi}
case $n in '' | *[!0-9]* | 0*) echo "$0: N must be a whole number from 1 to 1000, not '$n'" >&2; exit 2 ;; esac
[ "$n" -le 1000 ] || { echo "$0: N must be at most 1000, not $n" >&2; exit 2; }
case $start in
    [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][Tt]*[Zz] | [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][Tt]*[+-][0-9][0-9]:[0-9][0-9]) ;;
    *[!0-9.]* | '' | .*) echo "$0: START must be RFC 3339 with a zone or epoch seconds, not '$start'" >&2; exit 2 ;;
esac
[ -r "$script" ] || { echo "$0: cannot read the script $script" >&2; exit 2; }
case $image in *[!A-Za-z0-9./:@_-]*) echo "$0: bad image name '$image'" >&2; exit 2 ;; esac

# The pod's command, one line: the Job's pods run it with JOB_COMPLETION_INDEX set, and the
# local simulation (tests/spec/segment_spec.lua) runs exactly this line from the manifest.
pod_command="exec soapload --segment \"\$JOB_COMPLETION_INDEX/$n\" --start-at $start --url \"\$TARGET_URL\" --json \"/results/seg-\$JOB_COMPLETION_INDEX.json\" --progress never /script/script.lua"
merge_command="until [ \"\$(ls /results/seg-*.json 2>/dev/null | wc -l)\" -ge $n ]; do sleep 2; done; soapload merge /results/seg-*.json --json /results/merged.json --html /results/report.html; code=\$?; echo \"merge exit code \$code; the report stays for kubectl cp for 1 h\"; sleep 3600; exit \$code"

storage_class=""
[ -z "${STORAGE_CLASS:-}" ] || storage_class="  storageClassName: $STORAGE_CLASS"

cat <<YAML
# soapload: $n segments starting at $start, script $(basename "$script"), image $image
# rendered by scripts/kubernetes/render.sh
apiVersion: v1
kind: ConfigMap
metadata:
  name: soapload-script
  namespace: $ns
  labels: {app.kubernetes.io/name: soapload}
data:
  script.lua: |
$(sed 's/^/    /' "$script")
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: soapload-results
  namespace: $ns
  labels: {app.kubernetes.io/name: soapload}
spec:
  accessModes: [ReadWriteMany]
$storage_class
  resources:
    requests:
      storage: $size
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
      securityContext: {runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001}
      containers:
        - name: soapload-mock
          image: $image
          command: [soapload-mock, --host, 0.0.0.0, --port, "8000"]
          ports:
            - {name: http, containerPort: 8000, protocol: TCP}
          readinessProbe:
            httpGet: {path: /stats, port: http}
          securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true}
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
    spec:
      restartPolicy: Never
      securityContext: {runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001}
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
          volumeMounts:
            - {name: script, mountPath: /script, readOnly: true}
            - {name: results, mountPath: /results}
            - {name: tmp, mountPath: /tmp} # the run's spool files: the root is read-only
          securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true}
      volumes:
        - name: tmp
          emptyDir: {}
        - name: script
          configMap: {name: soapload-script}
        - name: results
          persistentVolumeClaim: {claimName: soapload-results}
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
      securityContext: {runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001}
      containers:
        - name: merge
          image: $image
          command:
            - /bin/sh
            - -c
            - '${merge_command//\'/\'\'}'
          volumeMounts:
            - {name: results, mountPath: /results}
            - {name: tmp, mountPath: /tmp}
          securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true}
      volumes:
        - name: tmp
          emptyDir: {}
        - name: results
          persistentVolumeClaim: {claimName: soapload-results}
YAML
