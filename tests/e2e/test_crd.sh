#!/usr/bin/env bash
# CustomResourceDefinitions with real kubectl against a real server: a CRD
# is served as soon as it is Established (discovery, printer columns,
# explain, schema validation, pruning and defaults, patches, status and
# scale subresources, a second served version), and deleting it takes its
# objects and its endpoints away.
. "$(dirname "$0")/lib.sh"

D="$T/data"
start_server "$T/server.log" --data-dir "$D" --listen 127.0.0.1:0
check "server becomes ready" wait_for 10 grep -q "ready in" "$T/server.log"
use_kubectl "$D"

cat >"$T/crd.yaml" <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names:
    plural: crontabs
    kind: CronTab
    shortNames: [ct]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
        labelSelectorPath: .status.selector
    additionalPrinterColumns:
    - name: Spec
      type: string
      description: The cron spec defining the interval a CronJob is run
      jsonPath: .spec.cronSpec
    - name: Replicas
      type: integer
      jsonPath: .spec.replicas
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            description: The desired schedule of the CronTab.
            properties:
              cronSpec:
                type: string
                pattern: '^(\d+|\*)(/\d+)?(\s+(\d+|\*)(/\d+)?){4}$'
              image:
                type: string
              replicas:
                type: integer
                minimum: 1
                maximum: 10
                default: 1
          status:
            type: object
            properties:
              replicas:
                type: integer
              selector:
                type: string
  - name: v1beta1
    served: true
    storage: false
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
YAML
CRD=crd/crontabs.stable.example.com
check "kubectl apply creates the CRD" \
	bash -c "kubectl apply -f '$T/crd.yaml' | grep -qx 'customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created'"
check "the CRD becomes Established" bash -c "kubectl wait --for condition=established $CRD --timeout=10s | grep -q 'condition met'"
check "NamesAccepted is True with NoConflicts" \
	bash -c "test \"\$(kubectl get $CRD -o jsonpath='{.status.conditions[?(@.type==\"NamesAccepted\")].reason}')\" = NoConflicts"
check "defaults: singular, listKind, conversion None, storedVersions" \
	bash -c "test \"\$(kubectl get $CRD -o jsonpath='{.spec.names.singular}/{.spec.names.listKind}/{.spec.conversion.strategy}/{.status.storedVersions}')\" = 'crontab/CronTabList/None/[\"v1\"]'"
check "acceptedNames are the names" \
	bash -c "test \"\$(kubectl get $CRD -o jsonpath='{.status.acceptedNames.plural}/{.status.acceptedNames.shortNames[0]}')\" = crontabs/ct"
check "the clean-up finalizer holds the CRD" \
	bash -c "kubectl get $CRD -o jsonpath='{.metadata.finalizers}' | grep -q customresourcecleanup.apiextensions.k8s.io"
check "kubectl get crd shows NAME and CREATED AT" \
	bash -c "kubectl get crd | head -1 | grep -Eq '^NAME +CREATED AT$' && kubectl get crd --no-headers | grep -Eq '^crontabs.stable.example.com +20[0-9-]+T'"
check "api-resources lists crontabs with its short name" \
	bash -c "kubectl api-resources | grep -Eq '^crontabs +ct +stable.example.com/v1 +true +CronTab'"
check "api-versions lists both served versions" \
	bash -c "kubectl api-versions | grep -qx stable.example.com/v1 && kubectl api-versions | grep -qx stable.example.com/v1beta1"

cat >"$T/ct.yaml" <<'YAML'
apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: my-new-cron-object
spec:
  cronSpec: "* * * * */5"
  image: my-awesome-cron-image
status:
  replicas: 7
YAML
check "create a custom resource" \
	bash -c "kubectl apply -f '$T/ct.yaml' | grep -qx 'crontab.stable.example.com/my-new-cron-object created'"
check "get shows the printer columns" \
	bash -c "kubectl get crontabs | head -1 | grep -Eq '^NAME +SPEC +REPLICAS +AGE$' && kubectl get ct --no-headers | grep -Eq '^my-new-cron-object +\\* \\* \\* \\* \\*/5 +1 +[0-9]+s$'"
check "the schema's default is filled in and status is not written on create" \
	bash -c "test \"\$(kubectl get ct my-new-cron-object -o jsonpath='{.spec.replicas}/{.status}')\" = 1/"
check "generation and uid are set" \
	bash -c "test \"\$(kubectl get ct my-new-cron-object -o jsonpath='{.metadata.generation}')\" = 1 && kubectl get ct my-new-cron-object -o jsonpath='{.metadata.uid}' | grep -Eq '^[0-9a-f-]{36}$'"
check "kubectl explain crontab.spec" \
	bash -c "kubectl explain crontab.spec >'$T/explain' && grep -q 'The desired schedule of the CronTab.' '$T/explain' && grep -Eq '^  cronSpec\s+<string>' '$T/explain' && grep -Eq '^  replicas\s+<integer>' '$T/explain'"

cat >"$T/bad.yaml" <<'YAML'
apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: bad
spec:
  cronSpec: "every minute"
  replicas: "three"
YAML
check "schema validation refuses a wrong type, with kubectl's usual message" \
	bash -c "kubectl apply -f '$T/bad.yaml' 2>&1 | grep -qF 'The CronTab \"bad\" is invalid: ' && kubectl apply -f '$T/bad.yaml' 2>&1 | grep -qF 'spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"'"
check "schema validation refuses a value the pattern does not match" \
	bash -c "kubectl apply -f '$T/bad.yaml' 2>&1 | grep -qF 'spec.cronSpec: Invalid value: \"every minute\": spec.cronSpec in body should match'"
check "schema validation refuses a value above the maximum" \
	bash -c "kubectl patch ct my-new-cron-object --type merge -p '{\"spec\":{\"replicas\":50}}' 2>&1 | grep -qF 'spec.replicas in body should be less than or equal to 10'"

cat >"$T/unknown.yaml" <<'YAML'
apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: pruned
spec:
  cronSpec: "*/5 * * * *"
  colour: blue
YAML
check "--validate=strict refuses an unknown field" \
	bash -c "kubectl apply --validate=strict -f '$T/unknown.yaml' 2>&1 | grep -qF 'unknown field \"spec.colour\"' && ! kubectl get ct pruned 2>/dev/null"
check "--validate=warn warns and prunes the unknown field" \
	bash -c "kubectl apply --validate=warn -f '$T/unknown.yaml' 2>&1 | grep -qF 'unknown field \"spec.colour\"' && test \"\$(kubectl get ct pruned -o jsonpath='{.spec}')\" = '{\"cronSpec\":\"*/5 * * * *\",\"replicas\":1}'"

check "a JSON merge patch" \
	bash -c "kubectl patch ct my-new-cron-object --type merge -p '{\"spec\":{\"image\":\"v2\"}}' | grep -q patched && test \"\$(kubectl get ct my-new-cron-object -o jsonpath='{.spec.image}')\" = v2"
check "a JSON patch" \
	bash -c "kubectl patch ct my-new-cron-object --type json -p '[{\"op\":\"replace\",\"path\":\"/spec/image\",\"value\":\"v3\"}]' | grep -q patched && test \"\$(kubectl get ct my-new-cron-object -o jsonpath='{.spec.image}')\" = v3"
check "a strategic merge patch is refused, as for every custom resource" \
	bash -c "kubectl patch ct my-new-cron-object -p '{\"spec\":{\"image\":\"v4\"}}' 2>&1 | grep -qF 'application/strategic-merge-patch+json is not supported by stable.example.com/v1, Kind=CronTab' && test \"\$(kubectl get ct my-new-cron-object -o jsonpath='{.spec.image}')\" = v3"
check "a spec change bumps generation" \
	bash -c "test \"\$(kubectl get ct my-new-cron-object -o jsonpath='{.metadata.generation}')\" = 3"
check "kubectl edit via KUBE_EDITOR" \
	bash -c "KUBE_EDITOR='sed -i s/image:.v3/image:\\ v5/' kubectl edit ct my-new-cron-object | grep -q edited && test \"\$(kubectl get ct my-new-cron-object -o jsonpath='{.spec.image}')\" = v5"

check "status written through the main resource is ignored" \
	bash -c "kubectl patch ct my-new-cron-object --type merge -p '{\"status\":{\"replicas\":9}}' >/dev/null && test -z \"\$(kubectl get ct my-new-cron-object -o jsonpath='{.status}')\""
check "status written through the status subresource sticks" \
	bash -c "kubectl patch ct my-new-cron-object --subresource status --type merge -p '{\"status\":{\"replicas\":2,\"selector\":\"app=cron\"}}' >/dev/null && test \"\$(kubectl get ct my-new-cron-object -o jsonpath='{.status.replicas}')\" = 2"
check "a spec change through the status subresource is ignored" \
	bash -c "kubectl patch ct my-new-cron-object --subresource status --type merge -p '{\"spec\":{\"image\":\"v9\"}}' >/dev/null && test \"\$(kubectl get ct my-new-cron-object -o jsonpath='{.spec.image}')\" = v5"
check "kubectl scale through the scale subresource" \
	bash -c "kubectl scale ct my-new-cron-object --replicas=3 | grep -q 'crontab.stable.example.com/my-new-cron-object scaled' && test \"\$(kubectl get ct my-new-cron-object -o jsonpath='{.spec.replicas}')\" = 3"
check "the Scale shows spec and status replicas and the selector" \
	bash -c "kubectl get --raw /apis/stable.example.com/v1/namespaces/default/crontabs/my-new-cron-object/scale | grep -q '\"spec\":{\"replicas\":3},\"status\":{\"replicas\":2,\"selector\":\"app=cron\"}'"

check "the other served version shows the same object" \
	bash -c "kubectl get --raw /apis/stable.example.com/v1beta1/namespaces/default/crontabs/my-new-cron-object | grep -q '\"apiVersion\":\"stable.example.com/v1beta1\".*\"image\":\"v5\"'"
check "kubectl get by resource.version.group" \
	bash -c "kubectl get crontabs.v1beta1.stable.example.com -o name | grep -qx crontab.stable.example.com/my-new-cron-object"

cat >"$T/badcrd.yaml" <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example
  scope: Namespaced
  names: {plural: gadgets, kind: Widget}
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}
YAML
check "an invalid CRD is refused with Kubernetes' messages" \
	bash -c "kubectl apply -f '$T/badcrd.yaml' 2>&1 >/dev/null | tee '$T/badcrd.out' | grep -qF 'metadata.name: Invalid value: \"widgets.example.com\": must be spec.names.plural+\".\"+spec.group' && grep -qF 'spec.group: Invalid value: \"example\": should be a domain with at least one dot' '$T/badcrd.out'"

cat >"$T/rival.yaml" <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabz.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: crontabz, kind: CronTab}
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
YAML
RIVAL=crd/crontabz.stable.example.com
check "a second CRD claiming the kind is created but its names are not accepted" \
	bash -c "kubectl apply -f '$T/rival.yaml' >/dev/null && sleep 0.5 && test \"\$(kubectl get $RIVAL -o jsonpath='{.status.conditions[?(@.type==\"NamesAccepted\")].reason}/{.status.conditions[?(@.type==\"Established\")].reason}')\" = ListKindConflict/NotAccepted"
check "nothing of it is served" bash -c "! kubectl api-resources | grep -q '^crontabz '"

check "deleting the CRD completes" bash -c "kubectl delete $CRD | grep -qx 'customresourcedefinition.apiextensions.k8s.io \"crontabs.stable.example.com\" deleted'"
check "the CRD is gone" bash -c "kubectl get $CRD 2>&1 | grep -q NotFound"
check "crontabs are gone from discovery" bash -c "! kubectl api-resources | grep -q '^crontabs ' && kubectl get ct 2>&1 | grep -q \"the server doesn't have a resource type\""
check "the rival's names are accepted once the CRD is gone" \
	bash -c "kubectl wait --for condition=established $RIVAL --timeout=10s >/dev/null && kubectl api-resources | grep -Eq '^crontabz +stable.example.com/v1 +true +CronTab'"
check "deleting the rival" bash -c "kubectl delete $RIVAL >/dev/null && ! kubectl get $RIVAL 2>/dev/null"
check "the group is gone from discovery and the OpenAPI index" \
	bash -c "! kubectl api-versions | grep -q stable.example.com && ! kubectl get --raw /openapi/v3 | grep -q stable.example.com"
check "created again, the CRD has no objects left" \
	bash -c "kubectl apply -f '$T/crd.yaml' >/dev/null && kubectl wait --for condition=established $CRD --timeout=10s >/dev/null && kubectl get ct -A 2>&1 | grep -q 'No resources found'"
check "the server logged no errors" bash -c "! grep -E ' error ' '$T/server.log'"
