{{/*
Common helpers of the spiderpool chart.
*/}}

{{/* app.kubernetes.io/name */}}
{{- define "spiderpool.name" -}}
{{- default "spiderpool" .Values.global.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels shared by every object: name, instance, chart, common labels. */}}
{{- define "spiderpool.labels" -}}
app.kubernetes.io/name: {{ include "spiderpool.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- with .Values.global.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Labels of a component: dict "root" $ "component" <name>. */}}
{{- define "spiderpool.componentLabels" -}}
{{ include "spiderpool.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Pod selector of a component: dict "root" $ "component" <name>. */}}
{{- define "spiderpool.selectorLabels" -}}
app.kubernetes.io/name: {{ include "spiderpool.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* metadata.annotations of every object (common annotations plus extra). */}}
{{- define "spiderpool.annotations" -}}
{{- $a := merge (dict) (.extra | default dict) (.root.Values.global.commonAnnotations | default dict) -}}
{{- if $a -}}
annotations:
  {{- toYaml $a | nindent 2 }}
{{- end -}}
{{- end -}}

{{/* Image reference: dict "root" $ "image" <image values> "fallback" <image values or nil>. */}}
{{- define "spiderpool.image" -}}
{{- $img := .image -}}
{{- $fb := .fallback | default dict -}}
{{- $registry := .root.Values.global.imageRegistryOverride | default $img.registry | default $fb.registry -}}
{{- $repo := $img.repository | default $fb.repository -}}
{{- $tag := $img.tag | default $fb.tag | default .root.Chart.AppVersion -}}
{{- $digest := $img.digest | default $fb.digest -}}
{{- if $registry }}{{ $registry }}/{{ end }}{{ $repo }}{{ if $digest }}@{{ $digest }}{{ else }}:{{ $tag }}{{ end }}
{{- end -}}

{{/* The controller's webhook Service namespace-qualified DNS name. */}}
{{- define "spiderpool.controllerServiceFQDN" -}}
{{ .Values.spiderpoolController.name }}.{{ .Release.Namespace }}.svc
{{- end -}}

{{/* The cleanup Job's ServiceAccount. */}}
{{- define "spiderpool.cleanupName" -}}
{{ .Values.spiderpoolController.name }}-hook-pre-delete
{{- end -}}

{{/*
Rules of a generated role (files/rbac/<component>/role.yaml, from the
+kubebuilder:rbac markers): dict "root" $ "component" <c> "kind" ClusterRole|Role.
Prints the rules as YAML, or nothing when the file has no role of that kind.
*/}}
{{- define "spiderpool.rbacRules" -}}
{{- $file := printf "files/rbac/%s/role.yaml" .component -}}
{{- $content := .root.Files.Get $file -}}
{{- if not $content }}{{ fail (printf "%s is missing: run make manifests chart-sync" $file) }}{{ end -}}
{{- range $doc := splitList "\n---\n" (printf "\n%s" $content) -}}
{{- $obj := fromYaml $doc -}}
{{- if and $obj (eq (get $obj "kind") $.kind) -}}
{{ toYaml (get $obj "rules") }}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Probe: dict "host" <h> "port" <p> "path" <path> "probe" <threshold values>. */}}
{{- define "spiderpool.probe" -}}
httpGet:
  {{- with .host }}
  host: {{ . | quote }}
  {{- end }}
  path: {{ .path }}
  port: {{ .port }}
  scheme: HTTP
failureThreshold: {{ .probe.failureThreshold }}
periodSeconds: {{ .probe.periodSeconds }}
successThreshold: 1
{{- with .initialDelaySeconds }}
initialDelaySeconds: {{ . }}
{{- end }}
{{- end -}}

{{/* Downward-API env of every component. */}}
{{- define "spiderpool.podEnv" -}}
- name: SPIDERPOOL_POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: SPIDERPOOL_POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
{{- end -}}

{{/* The loopback address of the probes: ::1 on IPv6-only clusters. */}}
{{- define "spiderpool.loopback" -}}
{{- if .Values.ipam.enableIPv4 }}127.0.0.1{{ else }}::1{{ end -}}
{{- end -}}

{{/*
A webhook's clientConfig: the controller Service, or url: <webhookURL><path>
when spiderpoolController.webhookURL is set. dict "root" $ "path" <p> "caBundle" <b64 or "">.
*/}}
{{- define "spiderpool.webhookClientConfig" -}}
{{- $c := .root.Values.spiderpoolController -}}
{{- if $c.webhookURL }}
url: {{ printf "%s%s" (trimSuffix "/" $c.webhookURL) .path | quote }}
{{- else }}
service:
  name: {{ $c.name }}
  namespace: {{ .root.Release.Namespace }}
  path: {{ .path }}
  port: {{ $c.webhookPort }}
{{- end }}
{{- with .caBundle }}
caBundle: {{ . }}
{{- end }}
{{- end -}}

{{/*
Narrow generated rules to named objects: dict "rules" <rules YAML> "names"
(dict <resource> (list <name>...)) "drop" (list <resource>...). Resources
in drop are removed (and a rule left with none). A rule whose resources
all have names gets resourceNames, replacing those of its marker (the
default install's names); its create verb (which RBAC cannot restrict by
name) stays in a rule of its own. Other rules are unchanged.
*/}}
{{- define "spiderpool.narrowRules" -}}
{{- $out := list -}}
{{- $drop := .drop | default list -}}
{{- range $r := (fromYamlArray .rules) -}}
{{- $kept := list -}}
{{- range $res := $r.resources }}{{ if not (has $res $drop) }}{{ $kept = append $kept $res }}{{ end }}{{ end -}}
{{- if $kept -}}
{{- $_ := set $r "resources" $kept -}}
{{- $names := list -}}
{{- $all := true -}}
{{- range $res := $r.resources -}}
{{- if hasKey $.names $res }}{{ $names = concat $names (get $.names $res) }}{{ else }}{{ $all = false }}{{ end -}}
{{- end -}}
{{- if and $all $names -}}
{{- $named := without $r.verbs "create" -}}
{{- if has "create" $r.verbs -}}
{{- $out = append $out (dict "apiGroups" $r.apiGroups "resources" $r.resources "verbs" (list "create")) -}}
{{- end -}}
{{- if $named -}}
{{- $out = append $out (dict "apiGroups" $r.apiGroups "resources" $r.resources "resourceNames" (uniq $names) "verbs" $named) -}}
{{- end -}}
{{- else -}}
{{- $out = append $out $r -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{ toYaml $out }}
{{- end -}}
