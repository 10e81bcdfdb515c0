{{/* SPDX-License-Identifier: Apache-2.0 */}}
{{/*
The fleet's Indexed Job (docs/fleet.md): `{{ include "schemagate.fleetJob" . }}` in a template
file of the app's chart, values under `fleet:`. Each pod is one shard: Kubernetes sets
JOB_COMPLETION_INDEX, and SCHEMAGATE_SHARDS, `completions` and `parallelism` are all rendered
from the one value fleet.shards, so they cannot disagree. The same pod settings (`job.*`,
securityContext, image, database) as the hook Job.

Not a hook: a fleet run may take hours, longer than any `helm upgrade --timeout` should wait.
An ordinary Job's pod template is immutable, so its name ends with a hash of its spec and of
the release's revision: every `helm upgrade` makes a new Job (Helm deletes the previous one,
whose shards stop as a killed shard does; the new one continues where they stopped), because
the migration files and the tenants may live in ConfigMaps the spec only names, whose new
content would otherwise run nothing. A rerun over migrated tenants is a cheap no-op pass
(docs/fleet.md). Block on it with
`kubectl wait --for=condition=complete job -l app.kubernetes.io/instance=RELEASE,app.kubernetes.io/component=fleet-migration`.
*/}}
{{- define "schemagate.fleetJob" -}}
{{- include "schemagate.fleetCheck" . -}}
{{- $spec := include "schemagate.fleetJobSpec" . -}}
apiVersion: batch/v1
kind: Job
metadata:
  {{- /* 45 + "-fleet-" + 8 = 60: within the 63 of the job-name label, as the hook Job's name. */}}
  name: {{ printf "%s-fleet-%s" (include "schemagate.fullname" . | trunc 45 | trimSuffix "-") (printf "%s\n%d" $spec (int .Release.Revision) | sha256sum | trunc 8) | quote }}
  labels:
    {{- include "schemagate.labels" (dict "root" . "component" "fleet-migration") | nindent 4 }}
spec:
  {{- $spec | nindent 2 }}
{{- end -}}

{{/*
Refuses, at `helm template` time, what the gate would refuse at run time with exit 3 in every
shard: a connection budget that cannot give each shard one session (3 connections per session
for schema per tenant, 2 for database per tenant; docs/fleet.md "Connection budget"), and
ambiguous tenant sources. values.schema.json checks each value alone; this checks them together.
*/}}
{{- define "schemagate.fleetCheck" -}}
{{- $f := .Values.schemagate.fleet -}}
{{- $perSession := ternary 2 3 (empty $f.tenantSchema) -}}
{{- $needed := mul (int $f.shards) $perSession -}}
{{- if lt (int $f.connectionBudget) (int $needed) -}}
{{- fail (printf "schemagate.fleet.connectionBudget: %d cannot give each of the %d shards one session of %d connections (needs at least %d)" (int $f.connectionBudget) (int $f.shards) $perSession $needed) -}}
{{- end -}}
{{- if and $f.tenants.configMap $f.tenants.query -}}
{{- fail "schemagate.fleet.tenants: set configMap or query, not both (set the other to \"\")" -}}
{{- end -}}
{{- if not (or $f.tenants.configMap $f.tenants.query) -}}
{{- fail "schemagate.fleet.tenants: set configMap (a ConfigMap of tenant names) or query (SQL on the control database)" -}}
{{- end -}}
{{- $urls := or $f.tenantUrl.value $f.tenantUrl.secretName -}}
{{- if or (and $f.tenantSchema $urls) (not (or $f.tenantSchema $urls)) -}}
{{- fail "schemagate.fleet: set tenantSchema (schema per tenant) or tenantUrl (database per tenant), one of them" -}}
{{- end -}}
{{- /* A password in the value would sit in the Job's spec and Helm's release history. */ -}}
{{- if regexMatch "://[^/@]*:[^/@]*@" (toString $f.tenantUrl.value) -}}
{{- fail "schemagate.fleet.tenantUrl.value holds a password: put the URL in a Secret and name it in fleet.tenantUrl.secretName (or use a password file or passfile)" -}}
{{- end -}}
{{- end -}}

{{- define "schemagate.fleetJobSpec" -}}
{{- $f := .Values.schemagate.fleet -}}
completionMode: Indexed
completions: {{ int $f.shards }}
parallelism: {{ int $f.shards }}
{{- /* A shard is retried on its own: a crashed or evicted one continues where it stopped. */}}
backoffLimitPerIndex: {{ int $f.backoffLimitPerIndex }}
podFailurePolicy:
  rules:
    {{- /* Bad configuration (3) or a state only an operator can repair (5). */}}
    - action: FailIndex
      onExitCodes:
        containerName: schemagate
        operator: In
        values: [3, 5]
    {{- /* Database unreachable (4): retried within backoffLimitPerIndex. */}}
    - action: Count
      onExitCodes:
        containerName: schemagate
        operator: In
        values: [4]
    {{- /* A drained node or a preempted pod is not the shard's fault. */}}
    - action: Ignore
      onPodConditions:
        - type: DisruptionTarget
          status: "True"
activeDeadlineSeconds: {{ int $f.activeDeadlineSeconds }}
ttlSecondsAfterFinished: {{ int $f.ttlSecondsAfterFinished }}
template:
  {{- include "schemagate.fleetPodTemplate" . | nindent 2 }}
{{- end -}}

{{- define "schemagate.fleetPodTemplate" -}}
{{- $v := .Values.schemagate -}}
{{- $f := $v.fleet -}}
metadata:
  labels:
    {{- include "schemagate.labels" (dict "root" . "component" "fleet-migration") | nindent 4 }}
    {{- with $v.job.podLabels }}{{ toYaml . | nindent 4 }}{{ end }}
  {{- $annotations := merge (deepCopy $v.job.podAnnotations) (include "schemagate.jobMeshAnnotations" . | fromYaml) }}
  {{- with $annotations }}
  annotations: {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  restartPolicy: Never
  {{- with $v.job.serviceAccountName }}
  serviceAccountName: {{ include "schemagate.tplName" (dict "value" . "root" $) | quote }}
  {{- end }}
  {{- with include "schemagate.imagePullSecrets" . }}
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
      {{- include "schemagate.image" . | trim | nindent 6 }}
      args: ["fleet", "migrate"]
      {{- include "schemagate.settingsAndDatabase" . | trim | nindent 6 }}
        - name: SCHEMAGATE_HOLDER
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        {{- include "schemagate.fleetEnv" . | nindent 8 }}
        {{- with include "schemagate.extraEnv" . }}{{ . | nindent 8 }}{{ end }}
      {{- with include "schemagate.fleetMounts" . }}
      volumeMounts: {{- . | trim | nindent 8 }}
      {{- end }}
      terminationMessagePolicy: FallbackToLogsOnError
      resources: {{- toYaml $f.resources | nindent 8 }}
      {{- include "schemagate.securityContext" . | trim | nindent 6 }}
  {{- with include "schemagate.fleetVolumes" . }}
  volumes: {{- . | trim | nindent 4 }}
  {{- end }}
{{- end -}}

{{/* The fleet's settings: shards from the same value as completions; the budget is the whole
fleet's, each shard clamps its sessions to it. */}}
{{- define "schemagate.fleetEnv" -}}
{{- $f := .Values.schemagate.fleet -}}
- name: SCHEMAGATE_SHARDS
  value: {{ int $f.shards | toString | quote }}
- name: SCHEMAGATE_PARALLEL
  value: {{ int $f.parallel | toString | quote }}
- name: SCHEMAGATE_CONNECTION_BUDGET
  value: {{ int $f.connectionBudget | toString | quote }}
{{- if $f.tenants.configMap }}
- name: SCHEMAGATE_TENANTS_FILE
  value: {{ printf "/tenants/%s" $f.tenants.key | quote }}
{{- else }}
- name: SCHEMAGATE_TENANTS_QUERY
  value: {{ $f.tenants.query | quote }}
{{- end }}
{{- if $f.tenantSchema }}
- name: SCHEMAGATE_TENANT_SCHEMA
  value: {{ $f.tenantSchema | quote }}
{{- else if $f.tenantUrl.secretName }}
- name: SCHEMAGATE_TENANT_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "schemagate.tplName" (dict "value" $f.tenantUrl.secretName "root" .) | quote }}
      key: {{ $f.tenantUrl.secretKey | quote }}
{{- else }}
- name: SCHEMAGATE_TENANT_URL
  value: {{ $f.tenantUrl.value | quote }}
{{- end }}
- name: SCHEMAGATE_TIMEOUT
  value: {{ $f.timeout | quote }}
# Per tenant, before its lease, as the hook Job: the Job is where the lock was chosen.
- name: SCHEMAGATE_HAZARDS
  value: {{ .Values.schemagate.hazards.job | quote }}
{{- end -}}

{{- define "schemagate.fleetMounts" -}}
{{- if .Values.schemagate.migrations.configMap }}
- name: schemagate-migrations
  mountPath: /migrations
  readOnly: true
{{- end }}
{{- if .Values.schemagate.fleet.tenants.configMap }}
- name: schemagate-tenants
  mountPath: /tenants
  readOnly: true
{{- end }}
{{- end -}}

{{- define "schemagate.fleetVolumes" -}}
{{- with include "schemagate.volumes" . }}
{{ . }}
{{- end }}
{{- with .Values.schemagate.fleet.tenants.configMap }}
- name: schemagate-tenants
  configMap:
    name: {{ include "schemagate.tplName" (dict "value" . "root" $) | quote }}
{{- end }}
{{- end -}}
