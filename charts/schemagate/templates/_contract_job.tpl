{{/* SPDX-License-Identifier: Apache-2.0 */}}
{{/*
The contract Job as a Helm hook (README, "Expand and contract"): `{{ include
"schemagate.contractJob" . }}` in a template file of the app's chart. It runs after every
install and upgrade (with `helm upgrade --wait`, once the new pods are Ready), waits until no
live pod of an older release lacks the deferred contract migrations, and applies them; Helm
deletes the previous run first (before-hook-creation), and a failed Job fails the release.
Nothing deferred: it exits 0 at once. Named RELEASE-schemagate-contract; its pod is the
migration Job's (`job.*` values) but for the command and its deadline.
*/}}
{{- define "schemagate.contractJob" -}}
{{- $v := .Values.schemagate -}}
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ printf "%s-contract" (include "schemagate.fullname" .) | quote }}
  labels:
    {{- include "schemagate.labels" (dict "root" . "component" "contract") | nindent 4 }}
  annotations:
    helm.sh/hook: post-install,post-upgrade
    helm.sh/hook-delete-policy: before-hook-creation
    helm.sh/hook-weight: "0"
spec:
  backoffLimit: 0
  activeDeadlineSeconds: {{ $v.contractJob.activeDeadlineSeconds }}
  ttlSecondsAfterFinished: {{ $v.contractJob.ttlSecondsAfterFinished }}
  template:
    {{- include "schemagate.jobPodTemplate" (dict "root" . "component" "contract" "command" "contract" "timeout" $v.contractJob.timeout) | nindent 4 }}
{{- end -}}
