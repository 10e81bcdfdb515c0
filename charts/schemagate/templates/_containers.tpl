{{/* SPDX-License-Identifier: Apache-2.0 */}}
{{/*
Named templates an app's chart includes, each called with the app chart's root context
(`include "schemagate.gate" .`); the settings are the app's `.Values.schemagate`. They render
the same containers as the Kustomize Components (a test compares them).
*/}}

{{- define "schemagate.image" -}}
{{- $v := .Values.schemagate -}}
image: {{ include "schemagate.imageRef" . | quote }}
{{- with $v.image.pullPolicy }}
imagePullPolicy: {{ . }}
{{- end }}
{{- end -}}

{{/* The containers' own securityContext: values' `securityContext`, restricted by default. */}}
{{- define "schemagate.securityContext" -}}
securityContext: {{- toYaml .Values.schemagate.securityContext | nindent 2 }}
{{- end -}}

{{- define "schemagate.settingsAndDatabase" -}}
{{- $v := .Values.schemagate -}}
{{- if or $v.settingsConfigMap $v.extraEnvFrom }}
envFrom:
  {{- with $v.settingsConfigMap }}
  - configMapRef:
      name: {{ include "schemagate.settingsConfigMapName" $ | quote }}
      optional: true
  {{- end }}
  {{- with $v.extraEnvFrom }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}
env:
  - name: DATABASE_URL
    valueFrom:
      secretKeyRef:
        name: {{ include "schemagate.databaseSecretName" . | quote }}
        key: {{ $v.database.secretKey | quote }}
  {{- with $v.setName }}
  - name: SCHEMAGATE_NAME
    value: {{ . | quote }}
  {{- end }}
{{- end -}}

{{/* The values' extraEnv, last in each container's env (after schemagate's own). */}}
{{- define "schemagate.extraEnv" -}}
{{- with .Values.schemagate.extraEnv }}
{{- toYaml . }}
{{- end }}
{{- end -}}

{{- define "schemagate.migrationsMount" -}}
{{- if .Values.schemagate.migrations.configMap }}
volumeMounts:
  - name: schemagate-migrations
    mountPath: /migrations
    readOnly: true
{{- end }}
{{- end -}}

{{/* The gate initContainer: list it first among the pod's initContainers. */}}
{{- define "schemagate.gate" -}}
{{- $v := .Values.schemagate -}}
- name: schemagate
  {{- include "schemagate.image" . | trim | nindent 2 }}
  args: [{{ $v.mode | quote }}]
  {{- include "schemagate.settingsAndDatabase" . | trim | nindent 2 }}
    - name: SCHEMAGATE_HOLDER
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    - name: SCHEMAGATE_HAZARDS
      value: {{ $v.hazards.pods | quote }}
    {{- with include "schemagate.extraEnv" . }}{{ . | nindent 4 }}{{ end }}
  {{- include "schemagate.migrationsMount" . | trim | nindent 2 }}
  terminationMessagePolicy: FallbackToLogsOnError
  resources: {{- toYaml $v.resources.gate | nindent 4 }}
  {{- include "schemagate.securityContext" . | trim | nindent 2 }}
{{- end -}}

{{/* The readiness sidecar: a container with its own readinessProbe (the app keeps its own). */}}
{{- define "schemagate.sidecar" -}}
{{- $v := .Values.schemagate -}}
- name: schemagate-sidecar
  {{- include "schemagate.image" . | trim | nindent 2 }}
  command: ["schemagate-sidecar"]
  {{- if $v.sidecar.native }}
  # A native sidecar (Kubernetes >= 1.29): started before the gate, stopped after the app.
  restartPolicy: Always
  {{- end }}
  {{- include "schemagate.settingsAndDatabase" . | trim | nindent 2 }}
  {{- if ne (int $v.port) 8733 }}
    - name: SCHEMAGATE_LISTEN
      value: {{ printf "0.0.0.0:%d" (int $v.port) | quote }}
  {{- end }}
    {{- with include "schemagate.extraEnv" . }}{{ . | nindent 4 }}{{ end }}
  ports:
    - name: schemagate
      containerPort: {{ $v.port }}
      protocol: TCP
  readinessProbe:
    httpGet:
      path: /readyz
      port: schemagate
    periodSeconds: 5
    timeoutSeconds: 2
    failureThreshold: 2
    successThreshold: 1
  livenessProbe:
    httpGet:
      path: /livez
      port: schemagate
    periodSeconds: 10
    timeoutSeconds: 2
    failureThreshold: 3
  {{- include "schemagate.migrationsMount" . | trim | nindent 2 }}
  terminationMessagePolicy: FallbackToLogsOnError
  resources: {{- toYaml $v.resources.sidecar | nindent 4 }}
  {{- include "schemagate.securityContext" . | trim | nindent 2 }}
{{- end -}}

{{/* Everything schemagate adds to the pod's initContainers, in order. */}}
{{- define "schemagate.initContainers" -}}
{{- if .Values.schemagate.sidecar.native -}}
{{ include "schemagate.sidecar" . }}
{{ end -}}
{{ include "schemagate.gate" . }}
{{- end -}}

{{/* Everything schemagate adds to the pod's containers (after the app's). */}}
{{- define "schemagate.containers" -}}
{{- if not .Values.schemagate.sidecar.native -}}
{{ include "schemagate.sidecar" . }}
{{- end -}}
{{- end -}}

{{/* The pod's volumes schemagate adds. */}}
{{- define "schemagate.volumes" -}}
{{- if .Values.schemagate.migrations.configMap -}}
- name: schemagate-migrations
  configMap:
    name: {{ include "schemagate.migrationsConfigMapName" . | quote }}
{{- end -}}
{{- end -}}

{{/* The DATABASE_URL entry alone, for the app's own container: list it inside the app's
existing `env:` (`{{- include "schemagate.databaseEnv" . | nindent 12 }}`). */}}
{{- define "schemagate.databaseEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "schemagate.databaseSecretName" . | quote }}
      key: {{ .Values.schemagate.database.secretKey | quote }}
{{- end -}}
