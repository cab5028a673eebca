/* token-authn — bearer-token authentication from a token file, the format of
 * kube-apiserver's --token-auth-file: one "token,user,uid,\"group1,group2\""
 * per line. On first start it writes an admin token (groups system:masters)
 * into its state dir, as k3s does, so the admin kubeconfig has a credential.
 *
 * Settings: tokenFile (default <state dir>/tokens.csv), generateAdmin (true).
 */
#include <skiff/skiff.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_TOKENS 4096

struct entry {
	char *token, *user, *uid, *groups; /* groups: comma separated */
};

static struct entry *entries;
static size_t nentries;
static char token_file[4096];

/* Compares without an early exit, so timing does not reveal a prefix. */
static int same(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = (unsigned char)(la != lb);
	for (size_t i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

static int authenticate(void *ud, const sk_auth_request *rq, sk_obj **user, sk_err *err)
{
	(void)ud;
	(void)err;
	const char *h = rq->authorization;
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return SK_AUTHN_NO_OPINION;
	const char *tok = h + 7;
	while (*tok == ' ')
		tok++;
	for (size_t i = 0; i < nentries; i++) {
		if (!same(tok, entries[i].token))
			continue;
		sk_obj *u = sk_obj_new_object();
		sk_obj_set_str(u, "username", entries[i].user, NULL);
		sk_obj_set_str(u, "uid", entries[i].uid, NULL);
		sk_obj *groups = sk_obj_new_array();
		char *gs = strdup(entries[i].groups), *save = NULL;
		for (char *g = strtok_r(gs, ",", &save); g; g = strtok_r(NULL, ",", &save)) {
			sk_obj *s = sk_obj_new_str(g);
			sk_obj_append(groups, s);
			sk_obj_unref(s);
		}
		free(gs);
		sk_obj *authd = sk_obj_new_str("system:authenticated");
		sk_obj_append(groups, authd);
		sk_obj_unref(authd);
		sk_obj_set(u, "groups", groups, NULL);
		sk_obj_unref(groups);
		*user = u;
		return SK_AUTHN_OK;
	}
	/* a bearer token nobody issued: let other authenticators try (a
	 * service-account token, say); the host rejects if none accepts */
	return SK_AUTHN_NO_OPINION;
}

static const sk_authenticator_ops ops = {sizeof ops, "token-file", authenticate};

/* Splits one CSV line with optional double quotes; returns field count. */
static int split(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;
	while (*p && n < max) {
		if (*p == '"') {
			f[n++] = ++p;
			while (*p && *p != '"')
				p++;
			if (*p)
				*p++ = 0;
			if (*p == ',')
				p++;
		} else {
			f[n++] = p;
			while (*p && *p != ',')
				p++;
			if (*p)
				*p++ = 0;
		}
	}
	return n;
}

static void free_entries(void)
{
	for (size_t i = 0; i < nentries; i++) {
		free(entries[i].token);
		free(entries[i].user);
		free(entries[i].uid);
		free(entries[i].groups);
	}
	free(entries);
	entries = NULL;
	nentries = 0;
}

static int load(sk_plugin *p, sk_err *err)
{
	FILE *f = fopen(token_file, "r");
	if (!f) {
		snprintf(err->msg, sizeof err->msg, "cannot read token file %s: %s", token_file, strerror(errno));
		err->code = SK_EIO;
		return SK_EIO;
	}
	char line[2048];
	int lineno = 0;
	entries = calloc(MAX_TOKENS, sizeof *entries);
	while (fgets(line, sizeof line, f) && nentries < MAX_TOKENS) {
		lineno++;
		line[strcspn(line, "\r\n")] = 0;
		if (!*line || *line == '#')
			continue;
		char *fl[4] = {0};
		int n = split(line, fl, 4);
		if (n < 3 || strlen(fl[0]) < 16) {
			sk_log(p, SK_LOG_WARN, "%s:%d: want token,user,uid[,\"groups\"] with a token of 16+ characters; line skipped",
			       token_file, lineno);
			continue;
		}
		struct entry *e = &entries[nentries++];
		e->token = strdup(fl[0]);
		e->user = strdup(fl[1]);
		e->uid = strdup(fl[2]);
		e->groups = strdup(n > 3 ? fl[3] : "");
	}
	fclose(f);
	sk_log(p, SK_LOG_INFO, "%zu token(s) from %s", nentries, token_file);
	return SK_OK;
}

static int generate_admin(sk_plugin *p, sk_err *err)
{
	unsigned char raw[32];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, raw, sizeof raw) != (ssize_t)sizeof raw) {
		if (fd >= 0)
			close(fd);
		snprintf(err->msg, sizeof err->msg, "cannot read /dev/urandom");
		err->code = SK_EIO;
		return SK_EIO;
	}
	close(fd);
	char hex[65];
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	/* created private: the file holds credentials */
	int out = open(token_file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		snprintf(err->msg, sizeof err->msg, "cannot create %s: %s", token_file, strerror(errno));
		err->code = SK_EIO;
		return SK_EIO;
	}
	char line[256];
	int n = snprintf(line, sizeof line, "%s,admin,admin,\"system:masters\"\n", hex);
	int ok = write(out, line, (size_t)n) == n;
	close(out);
	if (!ok) {
		snprintf(err->msg, sizeof err->msg, "cannot write %s", token_file);
		err->code = SK_EIO;
		return SK_EIO;
	}
	sk_log(p, SK_LOG_INFO, "generated an admin token in %s", token_file);
	return SK_OK;
}

static int init(sk_plugin *p, sk_err *err)
{
	const sk_obj *s = sk_plugin_settings(p);
	const char *file = sk_obj_get_str(s, "tokenFile");
	if (file)
		snprintf(token_file, sizeof token_file, "%s", file);
	else
		snprintf(token_file, sizeof token_file, "%s/tokens.csv", sk_plugin_state_dir(p));
	struct stat st;
	if (stat(token_file, &st) != 0 && errno == ENOENT && sk_obj_get_bool(s, "generateAdmin", 1) &&
	    generate_admin(p, err) != SK_OK)
		return err->code;
	if (load(p, err) != SK_OK)
		return err->code;
	return sk_register(p, SK_EXT_AUTHENTICATOR, &ops, NULL, err);
}

static void fini(sk_plugin *p)
{
	(void)p;
	free_entries();
}

SK_PLUGIN("token-authn", "0.1.0", "bearer tokens from a token file (kube-apiserver --token-auth-file format)",
          SK_LIST("authenticator"), SK_LIST(NULL), init, fini);
