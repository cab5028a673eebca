/* skiff/validate.h — Kubernetes' standard field checks, with its exact words.
 *
 * What kube-apiserver's validation packages check (DNS names, label keys and
 * values, ports, IPs, quantities, selectors...) written once in the core, so
 * every API plugin rejects the same values Kubernetes rejects and users read
 * the same messages through kubectl:
 *
 *   The Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name":
 *   a lowercase RFC 1123 subdomain must consist of ...
 *
 * Causes. A validation callback (skiff/resource.h) appends StatusCause
 * objects {"reason", "message", "field"} to the host's `causes` array. The
 * sk_cause_* helpers append one in Kubernetes' field.Error form: `field` is
 * the path as Kubernetes writes it ("spec.containers[0].ports[1].name",
 * "metadata.labels"), `message` is the error body without the field:
 *   sk_cause_required     FieldValueRequired     Required value[: detail]
 *   sk_cause_forbidden    FieldValueForbidden    Forbidden[: detail]
 *   sk_cause_invalid_*    FieldValueInvalid      Invalid value: VALUE[: detail]
 *   sk_cause_not_supported FieldValueNotSupported Unsupported value: "v": supported values: "a", "b"
 *   sk_cause_duplicate    FieldValueDuplicate    Duplicate value: "v"
 *   sk_cause_too_long     FieldValueTooLong      Too long: may not be more than N bytes
 *   sk_cause_too_many     FieldValueTooMany      Too many: N: must have at most M items
 * VALUE is printed as Go's fmt does: strings quoted like %q, integers and
 * booleans plain, null as null; a list of strings as []string{"a", "b"};
 * other objects and lists as compact JSON (where Kubernetes prints Go
 * struct syntax). Quoted values are cut after 4096 bytes. The API server
 * builds the Status message from the causes: `Kind "name" is invalid:
 * field: message`, or `[field: message, field: message]` for several.
 *
 * Checks. Every sk_check_* function has one shape:
 *
 *   const char *sk_check_X(sk_obj *causes, const char *field, VALUE);
 *
 * It returns NULL when the value is valid, otherwise the detail of the
 * first problem in Kubernetes' words ("must be no more than 63
 * characters"). When `causes` is not NULL it also appends one cause per
 * problem, exactly the list Kubernetes reports (a 300-byte name gets both
 * the length and the format cause). `field` may be NULL only when `causes`
 * is. So one call serves as a predicate
 * (`if (sk_check_ip(NULL, NULL, s))`) and as validation:
 *
 *   char f[128];
 *   snprintf(f, sizeof f, "spec.ports[%zu].port", i);
 *   sk_check_port_number(causes, f, sk_obj_get_int(port, "port", 0));
 *
 * String arguments may be NULL, read as "". Map and list arguments (sk_obj)
 * may be NULL or JSON null, read as empty; any other wrong JSON type is an
 * Invalid cause ("... in body must be of type object").
 *
 * Ownership: nothing here allocates for the caller; causes are appended to
 * the caller's array. Returned details are static strings, except those
 * naming a position (sk_check_field_manager): thread-local, overwritten by
 * the next such check on the thread.
 */
#ifndef SKIFF_VALIDATE_H
#define SKIFF_VALIDATE_H
#include <skiff/abi.h>
#include <skiff/selector.h>

/* Name rules of sk_check_name: Kubernetes' ValidateNameFunc per kind. */
#define SK_NAME_DNS_SUBDOMAIN 0 /* NameIsDNSSubdomain: most kinds, custom resources */
#define SK_NAME_DNS_LABEL 1     /* NameIsDNSLabel: Namespace (ValidateNamespaceName) */
#define SK_NAME_DNS1035_LABEL 2 /* NameIsDNS1035Label: Service */
#define SK_NAME_PATH_SEGMENT 3  /* ValidatePathSegmentName: RBAC kinds */
#define SK_NAME_NAMESPACE SK_NAME_DNS_LABEL

/* Largest total size (keys plus values) of an object's annotations. */
#define SK_ANNOTATIONS_MAX_BYTES (256 * 1024)

/* ---- appending one cause ---------------------------------------------- */

/* detail (and fmt) may be NULL or "": no ": detail" part */
void sk_cause_required(sk_obj *causes, const char *field, const char *detail);
void sk_cause_forbidden(sk_obj *causes, const char *field, const char *detail);
void sk_cause_invalid_str(sk_obj *causes, const char *field, const char *value, const char *fmt, ...)
	SK_PRINTF(4, 5);
void sk_cause_invalid_int(sk_obj *causes, const char *field, int64_t value, const char *fmt, ...)
	SK_PRINTF(4, 5);
/* value: any JSON value (NULL prints as null) */
void sk_cause_invalid_obj(sk_obj *causes, const char *field, const sk_obj *value, const char *fmt, ...)
	SK_PRINTF(4, 5);
/* supported: NULL-terminated, printed in the order given (Kubernetes sorts) */
void sk_cause_not_supported(sk_obj *causes, const char *field, const char *value,
                            const char *const *supported);
void sk_cause_duplicate(sk_obj *causes, const char *field, const char *value);
void sk_cause_too_long(sk_obj *causes, const char *field, int64_t max_bytes);
void sk_cause_too_many(sk_obj *causes, const char *field, int64_t actual, int64_t max_items);

/* ---- names --------------------------------------------------------------- */

/* IsDNS1123Label: at most 63 of [a-z0-9-], alphanumeric at both ends */
const char *sk_check_dns1123_label(sk_obj *causes, const char *field, const char *value);
/* IsDNS1123Subdomain: at most 253, dot-separated DNS-1123 labels */
const char *sk_check_dns1123_subdomain(sk_obj *causes, const char *field, const char *value);
/* IsDNS1035Label: a DNS-1123 label starting with a letter */
const char *sk_check_dns1035_label(sk_obj *causes, const char *field, const char *value);
/* IsQualifiedName: label keys, annotation keys, finalizers, condition types:
 * [prefix/]name, prefix a DNS subdomain, name at most 63 of [A-Za-z0-9-_.] */
const char *sk_check_qualified_name(sk_obj *causes, const char *field, const char *value);
/* IsValidLabelValue: empty, or at most 63 of [A-Za-z0-9-_.] */
const char *sk_check_label_value(sk_obj *causes, const char *field, const char *value);
/* An object's name (or, with prefix, its generateName) under `rule`
 * (SK_NAME_*), as the ValidateNameFunc of that rule: with prefix a trailing
 * '-' is allowed. */
const char *sk_check_name(sk_obj *causes, const char *field, const char *name, int rule, int prefix);

/* ---- maps and selectors -------------------------------------------------- */

/* ValidateLabels: every key a qualified name, every value a label value;
 * causes name `field` itself ("metadata.labels"), as Kubernetes does */
const char *sk_check_labels(sk_obj *causes, const char *field, const sk_obj *labels);
/* ValidateAnnotations: keys qualified names (case-insensitive), total size
 * at most SK_ANNOTATIONS_MAX_BYTES */
const char *sk_check_annotations(sk_obj *causes, const char *field, const sk_obj *annotations);
/* ValidateLabelSelector for a metav1.LabelSelector {matchLabels,
 * matchExpressions}: operators In, NotIn (values required), Exists,
 * DoesNotExist (values forbidden); keys qualified names; values label values */
const char *sk_check_label_selector(sk_obj *causes, const char *field, const sk_obj *selector);

/* ---- numbers ------------------------------------------------------------- */

/* ValidateNonnegativeField: "must be greater than or equal to 0" */
const char *sk_check_nonnegative(sk_obj *causes, const char *field, int64_t value);
/* "must be greater than zero" */
const char *sk_check_positive(sk_obj *causes, const char *field, int64_t value);
/* ValidateNonnegativeQuantity; the cause shows the quantity's canonical form */
const char *sk_check_quantity_nonnegative(sk_obj *causes, const char *field, const sk_quantity *q);
/* IntOrString such as maxSurge: an integer >= 0 or a percent string "25%" */
const char *sk_check_int_or_percent(sk_obj *causes, const char *field, const sk_obj *value);

/* ---- networking ---------------------------------------------------------- */

/* IsValidPortNum: 1..65535 */
const char *sk_check_port_number(sk_obj *causes, const char *field, int64_t port);
/* IsValidPortName (IANA_SVC_NAME): at most 15 of [a-z0-9-], a letter, no
 * "--", no '-' at either end */
const char *sk_check_port_name(sk_obj *causes, const char *field, const char *name);
/* TCP, UDP or SCTP; empty is Required */
const char *sk_check_protocol(sk_obj *causes, const char *field, const char *protocol);
/* IsValidIP: IPv4 or IPv6, IPv4 octets may carry leading zeros */
const char *sk_check_ip(sk_obj *causes, const char *field, const char *value);
/* IsValidCIDR: address/prefix-length */
const char *sk_check_cidr(sk_obj *causes, const char *field, const char *value);
/* IsHTTPHeaderName: [-A-Za-z0-9]+ */
const char *sk_check_http_header_name(sk_obj *causes, const char *field, const char *value);

/* ---- containers and config ----------------------------------------------- */

/* IsEnvVarName ([-._a-zA-Z][-._a-zA-Z0-9]*, not ".", "..", "..x"); with
 * relaxed, IsRelaxedEnvVarName (non-empty printable ASCII without '='),
 * which Kubernetes uses for pods since RelaxedEnvironmentVariableValidation */
const char *sk_check_env_var_name(sk_obj *causes, const char *field, const char *name, int relaxed);
/* IsConfigMapKey: at most 253 of [-._a-zA-Z0-9], not ".", "..", "..x" */
const char *sk_check_config_map_key(sk_obj *causes, const char *field, const char *key);
/* ValidateFieldManager (managedFields[].manager, ?fieldManager=): at most
 * 128 bytes, printable characters only */
const char *sk_check_field_manager(sk_obj *causes, const char *field, const char *manager);

#ifndef SKIFF_CORE
#define sk_cause_required (sk__host->cause_required)
#define sk_cause_forbidden (sk__host->cause_forbidden)
#define sk_cause_invalid_str (sk__host->cause_invalid_str)
#define sk_cause_invalid_int (sk__host->cause_invalid_int)
#define sk_cause_invalid_obj (sk__host->cause_invalid_obj)
#define sk_cause_not_supported (sk__host->cause_not_supported)
#define sk_cause_duplicate (sk__host->cause_duplicate)
#define sk_cause_too_long (sk__host->cause_too_long)
#define sk_cause_too_many (sk__host->cause_too_many)
#define sk_check_dns1123_label (sk__host->check_dns1123_label)
#define sk_check_dns1123_subdomain (sk__host->check_dns1123_subdomain)
#define sk_check_dns1035_label (sk__host->check_dns1035_label)
#define sk_check_qualified_name (sk__host->check_qualified_name)
#define sk_check_label_value (sk__host->check_label_value)
#define sk_check_name (sk__host->check_name)
#define sk_check_labels (sk__host->check_labels)
#define sk_check_annotations (sk__host->check_annotations)
#define sk_check_label_selector (sk__host->check_label_selector)
#define sk_check_nonnegative (sk__host->check_nonnegative)
#define sk_check_positive (sk__host->check_positive)
#define sk_check_quantity_nonnegative (sk__host->check_quantity_nonnegative)
#define sk_check_int_or_percent (sk__host->check_int_or_percent)
#define sk_check_port_number (sk__host->check_port_number)
#define sk_check_port_name (sk__host->check_port_name)
#define sk_check_protocol (sk__host->check_protocol)
#define sk_check_ip (sk__host->check_ip)
#define sk_check_cidr (sk__host->check_cidr)
#define sk_check_http_header_name (sk__host->check_http_header_name)
#define sk_check_env_var_name (sk__host->check_env_var_name)
#define sk_check_config_map_key (sk__host->check_config_map_key)
#define sk_check_field_manager (sk__host->check_field_manager)
#endif
#endif
#include <skiff/host.h>
