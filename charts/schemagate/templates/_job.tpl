{{/* SPDX-License-Identifier: Apache-2.0 */}}
{{/*
The one-off migration Job as a Helm hook: `{{ include "schemagate.migrationJob" . }}` in a
template file of the app's chart. It runs before every install and upgrade, Helm deletes the
previous run first (before-hook-creation: the release's fixed name and the immutable pod
template are never a conflict; another release's Job has another name), and a failed Job fails the release before any pod of it rolls.
*/}}
{{- define "schemagate.migrationJob" -}}
{{- $v := .Values.schemagate -}}
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ printf "%s-migrate" (include "schemagate.fullname" .) | quote }}
  labels:
    {{- include "schemagate.labels" (dict "root" . "component" "migration") | nindent 4 }}
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-delete-policy: before-hook-creation
    helm.sh/hook-weight: "0"
spec:
  backoffLimit: 0
  activeDeadlineSeconds: {{ $v.job.activeDeadlineSeconds }}
  ttlSecondsAfterFinished: {{ $v.job.ttlSecondsAfterFinished }}
  template:
    {{- include "schemagate.jobPodTemplate" (dict "root" . "component" "migration" "command" "migrate" "timeout" $v.job.timeout) | nindent 4 }}
{{- end -}}

{{/*
The migrations ConfigMap from the app chart's own files (values: migrations.files, a glob).
Its name carries a hash of the files, as Kustomize's generator does: a new set is a new object,
so pods of the previous release keep reading the set they were started with. Call it with
(dict "root" . "hook" true) when the hook Job is used: the Job runs before Helm creates the
release's ordinary objects, so the ConfigMap must be a hook too, one weight earlier (Helm does
not delete hook objects with the release: remove this release's older sets, and only them, with
`kubectl delete configmap -l 'app.kubernetes.io/instance=RELEASE,app.kubernetes.io/component=migrations,schemagate.io/migrations-hash!=CURRENT'`
once no pod uses them; a selector without the instance deletes other releases' sets, and one
without the hash the set the running pods mount).
*/}}
{{- define "schemagate.migrationsConfigMap" -}}
{{- $root := .root -}}
{{- /* Nothing to generate without files (migrations in the image, or a ConfigMap of yours):
an object named "" would be refused by the API server. */ -}}
{{- if and $root.Values.schemagate.migrations.files $root.Values.schemagate.migrations.configMap -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "schemagate.migrationsConfigMapName" $root | quote }}
  labels:
    {{- include "schemagate.labels" (dict "root" $root "component" "migrations") | nindent 4 }}
    schemagate.io/migrations-hash: {{ include "schemagate.migrationsHash" $root | quote }}
  {{- if .hook }}
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-delete-policy: before-hook-creation
    helm.sh/hook-weight: "-5"
  {{- end }}
data:
  {{- ($root.Files.Glob $root.Values.schemagate.migrations.files).AsConfig | nindent 2 }}
{{- end -}}
{{- end -}}


{{/*
The pod template of the migration Job and of the contract Job: one pod, differing only in the
command and its --timeout. Call with (dict "root" . "component" C "command" CMD "timeout" T).
*/}}
{{- define "schemagate.jobPodTemplate" -}}
{{- $root := .root -}}
{{- $v := $root.Values.schemagate -}}
metadata:
  labels:
    {{- include "schemagate.labels" (dict "root" $root "component" .component) | nindent 4 }}
    {{- with $v.job.podLabels }}{{ toYaml . | nindent 4 }}{{ end }}
  {{- /* job.podAnnotations win over the mesh's opt-out when both name a key. */}}
  {{- $annotations := merge (deepCopy $v.job.podAnnotations) (include "schemagate.jobMeshAnnotations" $root | fromYaml) }}
  {{- with $annotations }}
  annotations: {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  restartPolicy: Never
  {{- with $v.job.serviceAccountName }}
  serviceAccountName: {{ include "schemagate.tplName" (dict "value" . "root" $root) | quote }}
  {{- end }}
  {{- with include "schemagate.imagePullSecrets" $root }}
  imagePullSecrets: {{- . | trim | nindent 4 }}
  {{- end }}
  securityContext: {{- toYaml $v.job.podSecurityContext | nindent 4 }}
  {{- with $v.job.nodeSelector }}
  nodeSelector: {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.job.tolerations }}
  tolerations: {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.job.affinity }}
  affinity: {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: schemagate
      {{- include "schemagate.image" $root | trim | nindent 6 }}
      args: [{{ .command | quote }}]
      {{- include "schemagate.settingsAndDatabase" $root | trim | nindent 6 }}
        - name: SCHEMAGATE_HOLDER
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        - name: SCHEMAGATE_TIMEOUT
          value: {{ .timeout | quote }}
        - name: SCHEMAGATE_HAZARDS
          value: {{ $v.hazards.job | quote }}
        {{- with include "schemagate.extraEnv" $root }}{{ . | nindent 8 }}{{ end }}
      {{- include "schemagate.migrationsMount" $root | trim | nindent 6 }}
      terminationMessagePolicy: FallbackToLogsOnError
      resources: {{- toYaml ($v.job.resources | default $v.resources.gate) | nindent 8 }}
      {{- include "schemagate.securityContext" $root | trim | nindent 6 }}
  {{- with (include "schemagate.volumes" $root) }}
  volumes: {{- . | nindent 4 }}
  {{- end }}
{{- end -}}
