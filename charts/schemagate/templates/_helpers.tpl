{{/* SPDX-License-Identifier: Apache-2.0 */}}
{{/*
Names and labels. Every object the chart renders is named after the release (two releases in
one namespace share nothing), and every value that names another object goes through `tpl`,
so `{{ .Release.Name }}-db` can be written in values.
*/}}

{{/* The release-scoped base name: fullnameOverride, else RELEASE-schemagate (RELEASE alone
when it already says schemagate). 52 characters at most: a Job's name becomes a pod label
(63) after the "-migrate" suffix and the pod's own. */}}
{{- define "schemagate.fullname" -}}
{{- $v := .Values.schemagate -}}
{{- if $v.fullnameOverride -}}
{{- $v.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else if contains "schemagate" .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-schemagate" .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* A value that names another object, rendered as a template in the app's context. */}}
{{- define "schemagate.tplName" -}}
{{- tpl .value .root -}}
{{- end -}}

{{- define "schemagate.databaseSecretName" -}}
{{- include "schemagate.tplName" (dict "value" .Values.schemagate.database.secretName "root" .) -}}
{{- end -}}

{{- define "schemagate.settingsConfigMapName" -}}
{{- include "schemagate.tplName" (dict "value" .Values.schemagate.settingsConfigMap "root" .) -}}
{{- end -}}

{{/* The migrations ConfigMap's name: with a content hash when generated from the chart's files. */}}
{{- define "schemagate.migrationsConfigMapName" -}}
{{- $m := .Values.schemagate.migrations -}}
{{- $base := include "schemagate.tplName" (dict "value" $m.configMap "root" .) -}}
{{- if $m.files -}}
{{- printf "%s-%s" $base (include "schemagate.migrationsHash" .) -}}
{{- else -}}
{{- $base -}}
{{- end -}}
{{- end -}}

{{- define "schemagate.migrationsHash" -}}
{{- (.Files.Glob .Values.schemagate.migrations.files).AsConfig | sha256sum | trunc 10 -}}
{{- end -}}

{{/* Selector labels of schemagate's own objects: name and instance (the release). */}}
{{- define "schemagate.selectorLabels" -}}
app.kubernetes.io/name: schemagate
app.kubernetes.io/instance: {{ .Release.Name | quote }}
{{- end -}}

{{/* The recommended labels (kubernetes.io/docs/concepts/overview/working-with-objects/common-labels),
with the component given: (dict "root" . "component" "migration"). */}}
{{- define "schemagate.labels" -}}
{{- $root := .root -}}
{{ include "schemagate.selectorLabels" $root }}
app.kubernetes.io/component: {{ .component | quote }}
app.kubernetes.io/version: {{ $root.Values.schemagate.image.tag | default "unknown" | quote }}
app.kubernetes.io/part-of: {{ $root.Chart.Name | quote }}
app.kubernetes.io/managed-by: {{ $root.Release.Service | quote }}
helm.sh/chart: {{ printf "%s-%s" $root.Chart.Name $root.Chart.Version | replace "+" "_" | quote }}
{{- end -}}

{{/* The image reference: repository, tag and, when given, the digest (which then pins it). */}}
{{- define "schemagate.imageRef" -}}
{{- $i := .Values.schemagate.image -}}
{{- $ref := $i.repository -}}
{{- with $i.tag }}{{ $ref = printf "%s:%s" $ref . }}{{ end -}}
{{- with $i.digest }}{{ $ref = printf "%s@%s" $ref . }}{{ end -}}
{{- $ref -}}
{{- end -}}

{{/* imagePullSecrets entries for a pod: the Job's, or the app's pod (`imagePullSecrets:` then
`{{- include "schemagate.imagePullSecrets" . | nindent 8 }}` beside its own entries). */}}
{{- define "schemagate.imagePullSecrets" -}}
{{- range .Values.schemagate.imagePullSecrets }}
- name: {{ if kindIs "string" . }}{{ . | quote }}{{ else }}{{ .name | quote }}{{ end }}
{{- end }}
{{- end -}}
