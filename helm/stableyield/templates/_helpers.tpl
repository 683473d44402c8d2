{{/* Labels of every object of an app; selectors use only app.kubernetes.io/name. */}}
{{- define "stableyield.labels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/part-of: stableyield
{{- end }}

{{/* Labels Helm adds on top, to tell which release owns an object. */}}
{{- define "stableyield.releaseLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{- define "stableyield.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}
