/* x509_authn.c — client-certificate authentication, as kube-apiserver's
 * --client-ca-file does it: a certificate the server verified against the
 * cluster CA names the user by its subject, CN the username and each O a
 * group. Requests without one are not this plugin's to judge.
 *
 * The TLS layer verifies the chain and client-auth usage before a request
 * exists; this plugin only maps the subject onto a user. No settings.
 */
#include <skiff/skiff.h>
#include <stdio.h>
#include <string.h>

static void add_group(sk_obj *groups, const char *g)
{
	sk_obj *s = sk_obj_new_str(g);
	sk_obj_append(groups, s);
	sk_obj_unref(s);
}

static int authenticate(void *ud, const sk_auth_request *rq, sk_obj **user, sk_err *err)
{
	(void)ud;
	if (!rq->cert_common_name)
		return SK_AUTHN_NO_OPINION;
	if (!*rq->cert_common_name) {
		/* kube-apiserver refuses these too: a user needs a name */
		snprintf(err->msg, sizeof err->msg, "the client certificate has no common name");
		err->code = SK_EUNAUTHORIZED;
		return SK_AUTHN_REJECT;
	}
	sk_obj *u = sk_obj_new_object();
	sk_obj_set_str(u, "username", rq->cert_common_name, NULL);
	sk_obj *groups = sk_obj_new_array();
	int authenticated = 0;
	for (const char *const *o = rq->cert_organizations; o && *o; o++) {
		add_group(groups, *o);
		authenticated |= !strcmp(*o, "system:authenticated");
	}
	if (!authenticated)
		add_group(groups, "system:authenticated");
	sk_obj_set(u, "groups", groups, NULL);
	sk_obj_unref(groups);
	*user = u;
	return SK_AUTHN_OK;
}

static const sk_authenticator_ops ops = {sizeof ops, "x509", authenticate};

static int init(sk_plugin *p, sk_err *err) { return sk_register(p, SK_EXT_AUTHENTICATOR, &ops, NULL, err); }

SK_PLUGIN("x509-authn", "0.1.0", "client certificates verified against the cluster CA (CN user, O groups)",
          SK_LIST("authenticator"), SK_LIST(NULL), init, NULL);
