{{/* SPDX-License-Identifier: Apache-2.0 */}}
{{/*
Platform interplay (docs/platforms.md): service-mesh annotations and the PodMonitor.
*/}}

{{/* Annotations for the app's pod template under a service mesh (values: mesh, database.port):
`annotations:` then `{{- include "schemagate.podAnnotations" . | nindent 8 }}`. Istio's and
Linkerd's init containers redirect every outbound connection to a proxy that starts only after
the initContainers, so the gate's connection to the database bypasses it (its port excluded);
Istio also holds the app containers, the readiness sidecar among them, until the proxy runs. */}}
{{- define "schemagate.podAnnotations" -}}
{{- $v := .Values.schemagate -}}
{{- $port := $v.database.port | int | toString -}}
{{- if eq $v.mesh "istio" }}
traffic.sidecar.istio.io/excludeOutboundPorts: {{ $port | quote }}
proxy.istio.io/config: '{"holdApplicationUntilProxyStarts": true}'
{{- else if eq $v.mesh "linkerd" }}
config.linkerd.io/skip-outbound-ports: {{ $port | quote }}
{{- end }}
{{- end -}}

{{/* The Job's pod under a mesh: no proxy, which would keep the Job from ever completing. */}}
{{- define "schemagate.jobMeshAnnotations" -}}
{{- $v := .Values.schemagate -}}
{{- if eq $v.mesh "istio" }}
sidecar.istio.io/inject: "false"
{{- else if eq $v.mesh "linkerd" }}
linkerd.io/inject: disabled
{{- end }}
{{- end -}}

{{/* A PodMonitor scraping the sidecars' port (Prometheus Operator): `{{ include
"schemagate.podMonitor" . }}` in a template file. podMonitor.release is the label
kube-prometheus-stack selects PodMonitors by (its own Helm release's name). */}}
{{- define "schemagate.podMonitor" -}}
{{- $v := .Values.schemagate -}}
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata:
  name: {{ include "schemagate.fullname" . | quote }}
  labels:
    {{- include "schemagate.labels" (dict "root" . "component" "monitoring") | nindent 4 }}
    {{- with $v.podMonitor.release }}
    release: {{ . | quote }}
    {{- end }}
    {{- with $v.podMonitor.labels }}{{ toYaml . | nindent 4 }}{{ end }}
spec:
  selector: {{- toYaml $v.podMonitor.selector | nindent 4 }}
  podMetricsEndpoints:
    - port: schemagate
      path: /metrics
      interval: {{ $v.podMonitor.interval | quote }}
{{- end -}}
