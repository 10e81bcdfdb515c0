{{/* SPDX-License-Identifier: Apache-2.0 */}}
{{/*
The one-off migration Job as a Helm hook: `{{ include "schemagate.migrationJob" . }}` in a
template file of the app's chart. It runs before every install and upgrade, Helm deletes the
previous run first (before-hook-creation: the fixed name and the immutable pod template are
never a conflict), and a failed Job fails the release before any pod of it rolls.
*/}}
{{- define "schemagate.migrationJob" -}}
{{- $v := .Values.schemagate -}}
apiVersion: batch/v1
kind: Job
metadata:
  name: schemagate-migrate
  labels:
    app.kubernetes.io/name: schemagate
    app.kubernetes.io/component: migration
    app.kubernetes.io/instance: {{ .Release.Name | quote }}
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-delete-policy: before-hook-creation
    helm.sh/hook-weight: "0"
spec:
  backoffLimit: 0
  activeDeadlineSeconds: {{ $v.job.activeDeadlineSeconds }}
  ttlSecondsAfterFinished: {{ $v.job.ttlSecondsAfterFinished }}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: schemagate
        app.kubernetes.io/component: migration
    spec:
      restartPolicy: Never
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        runAsGroup: 65532
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: schemagate
          {{- include "schemagate.image" . | trim | nindent 10 }}
          args: ["migrate"]
          {{- include "schemagate.settingsAndDatabase" . | trim | nindent 10 }}
            - name: SCHEMAGATE_HOLDER
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
            - name: SCHEMAGATE_TIMEOUT
              value: {{ $v.job.timeout | quote }}
          {{- include "schemagate.migrationsMount" . | trim | nindent 10 }}
          terminationMessagePolicy: FallbackToLogsOnError
          resources: {{- toYaml $v.resources.gate | nindent 12 }}
          {{- include "schemagate.securityContext" . | trim | nindent 10 }}
      {{- with (include "schemagate.volumes" .) }}
      volumes: {{- . | nindent 8 }}
      {{- end }}
{{- end -}}

{{/*
The migrations ConfigMap from the app chart's own files (values: migrations.files, a glob).
Its name carries a hash of the files, as Kustomize's generator does: a new set is a new object,
so pods of the previous release keep reading the set they were started with. Call it with
(dict "root" . "hook" true) when the hook Job is used: the Job runs before Helm creates the
release's ordinary objects, so the ConfigMap must be a hook too, one weight earlier (Helm does
not delete hook objects with the release: remove old sets with
`kubectl delete configmap -l app.kubernetes.io/name=schemagate,app.kubernetes.io/instance=RELEASE`
once no pod uses them).
*/}}
{{- define "schemagate.migrationsConfigMap" -}}
{{- $root := .root -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "schemagate.migrationsConfigMapName" $root | quote }}
  labels:
    app.kubernetes.io/name: schemagate
    app.kubernetes.io/instance: {{ $root.Release.Name | quote }}
  {{- if .hook }}
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-delete-policy: before-hook-creation
    helm.sh/hook-weight: "-5"
  {{- end }}
data:
  {{- ($root.Files.Glob $root.Values.schemagate.migrations.files).AsConfig | nindent 2 }}
{{- end -}}

{{/* The migrations ConfigMap's name: with a content hash when generated from the chart's files. */}}
{{- define "schemagate.migrationsConfigMapName" -}}
{{- $m := .Values.schemagate.migrations -}}
{{- if $m.files -}}
{{- printf "%s-%s" $m.configMap ((.Files.Glob $m.files).AsConfig | sha256sum | trunc 10) -}}
{{- else -}}
{{- $m.configMap -}}
{{- end -}}
{{- end -}}
