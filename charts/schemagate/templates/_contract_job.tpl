{{/* SPDX-License-Identifier: Apache-2.0 */}}
{{/*
The contract Job as a Helm hook (README, "Expand and contract"): `{{ include
"schemagate.contractJob" . }}` in a template file of the app's chart. It runs after every
install and upgrade (with `helm upgrade --wait`, once the new pods are Ready), waits until no
live pod of an older release lacks the deferred contract migrations, and applies them; Helm
deletes the previous run first (before-hook-creation), and a failed Job fails the release.
Nothing deferred: it exits 0 at once.
*/}}
{{- define "schemagate.contractJob" -}}
{{- $v := .Values.schemagate -}}
apiVersion: batch/v1
kind: Job
metadata:
  name: schemagate-contract
  labels:
    app.kubernetes.io/name: schemagate
    app.kubernetes.io/component: contract
    app.kubernetes.io/instance: {{ .Release.Name | quote }}
  annotations:
    helm.sh/hook: post-install,post-upgrade
    helm.sh/hook-delete-policy: before-hook-creation
    helm.sh/hook-weight: "0"
spec:
  backoffLimit: 0
  activeDeadlineSeconds: {{ $v.contractJob.activeDeadlineSeconds }}
  ttlSecondsAfterFinished: {{ $v.contractJob.ttlSecondsAfterFinished }}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: schemagate
        app.kubernetes.io/component: contract
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
          args: ["contract"]
          {{- include "schemagate.settingsAndDatabase" . | trim | nindent 10 }}
            - name: SCHEMAGATE_HOLDER
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
            - name: SCHEMAGATE_TIMEOUT
              value: {{ $v.contractJob.timeout | quote }}
          {{- include "schemagate.migrationsMount" . | trim | nindent 10 }}
          terminationMessagePolicy: FallbackToLogsOnError
          resources: {{- toYaml $v.resources.gate | nindent 12 }}
          {{- include "schemagate.securityContext" . | trim | nindent 10 }}
      {{- with (include "schemagate.volumes" .) }}
      volumes: {{- . | nindent 8 }}
      {{- end }}
{{- end -}}
