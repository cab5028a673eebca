/* images.c — the image store under DATA_DIR/images, shared by the server
 * and `skiff image`:
 *
 *   layers/<sha256>/   a layer unpacked once (overlayfs whiteouts), shared
 *                      by every image and container that uses it
 *   refs/<name>.json   one per image name: {"name", "id", "layers": [sha256,
 *                      ... bottom first], "config": {Env, Cmd, ...}, "size"}
 *
 * Writers put a file aside and rename it into place, so readers (the
 * server) see an image whole or not at all. */
#include "oci.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int image_normalize(const char *ref, char *out, size_t cap)
{
	if (!ref || !*ref || strlen(ref) > 1000)
		return -1;
	const char *slash = strchr(ref, '/');
	const char *host = "", *sep = "";
	/* the first component names a registry when it looks like a host */
	int has_host = slash && (memchr(ref, '.', (size_t)(slash - ref)) || memchr(ref, ':', (size_t)(slash - ref)) ||
	                         !strncmp(ref, "localhost/", 10));
	char path[1100];
	if (!has_host) {
		host = "docker.io/";
		sep = slash ? "" : "library/";
		snprintf(path, sizeof path, "%s", ref);
	} else {
		snprintf(path, sizeof path, "%s", ref);
	}
	/* a tag after the last '/' (a ':' before it is a port) or a digest */
	const char *last = strrchr(path, '/');
	const char *tag = strchr(last ? last : path, ':');
	int tagged = tag || strchr(path, '@');
	int n = snprintf(out, cap, "%s%s%s%s", host, sep, path, tagged ? "" : ":latest");
	return n > 0 && (size_t)n < cap ? 0 : -1;
}

void image_ref_path(const char *images_dir, const char *name, char *out, size_t cap)
{
	/* names hold '/' and ':'; escape them so that each is one file */
	char esc[3200];
	size_t j = 0;
	for (const char *c = name; *c && j + 4 < sizeof esc; c++) {
		if (*c == '/' || *c == ':' || *c == '%' || *c == '@')
			j += (size_t)snprintf(esc + j, sizeof esc - j, "%%%02X", (unsigned char)*c);
		else
			esc[j++] = *c;
	}
	esc[j] = 0;
	snprintf(out, cap, "%s/refs/%s.json", images_dir, esc);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (n + 4096 > cap) {
			char *b = realloc(buf, cap = cap ? cap * 2 : 8192);
			if (!b)
				break;
			buf = b;
		}
		size_t r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (!r)
			break;
	}
	fclose(f);
	if (buf)
		buf[n] = 0;
	*len = n;
	return buf;
}

void image_free(struct image *im)
{
	if (!im)
		return;
	for (size_t i = 0; i < im->nlayers; i++)
		free(im->layers[i]);
	free(im->layers);
	free(im->name);
	free(im->id);
	sk_obj_unref(im->config);
	free(im);
}

struct image *image_find(const char *images_dir, const char *ref, sk_err *err)
{
	char name[1200], path[4200];
	if (image_normalize(ref, name, sizeof name) != 0) {
		sk_errf(err, SK_EINVALID, "invalid image reference \"%s\"", ref ? ref : "");
		return NULL;
	}
	image_ref_path(images_dir, name, path, sizeof path);
	size_t len = 0;
	char *text = slurp(path, &len);
	if (!text) {
		sk_errf(err, SK_ENOTFOUND, "image \"%s\" is not in the image store (skiff image import FILE %s)", name,
		        ref);
		return NULL;
	}
	sk_err e = {0};
	sk_obj *doc = sk_obj_parse(text, len, &e);
	free(text);
	struct image *im = doc ? calloc(1, sizeof *im) : NULL;
	const sk_obj *layers = sk_obj_get(doc, "layers");
	if (!im || !(im->layers = calloc(sk_obj_len(layers) + 1, sizeof *im->layers))) {
		sk_errf(err, SK_EIO, "image \"%s\": its record %s is damaged: %s", name, path, e.msg);
		sk_obj_unref(doc);
		image_free(im);
		return NULL;
	}
	im->name = strdup(name);
	im->id = strdup(sk_obj_get_str(doc, "id") ? sk_obj_get_str(doc, "id") : "");
	im->size = sk_obj_get_int(doc, "size", 0);
	for (size_t i = 0; i < sk_obj_len(layers); i++) {
		const char *h = sk_obj_str(sk_obj_at(layers, i));
		char dir[4200];
		struct stat st;
		snprintf(dir, sizeof dir, "%s/layers/%s", images_dir, h ? h : "");
		if (!h || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
			sk_errf(err, SK_EIO, "image \"%s\": layer %s is missing; import the image again", name, h ? h : "?");
			sk_obj_unref(doc);
			image_free(im);
			return NULL;
		}
		im->layers[im->nlayers++] = strdup(dir);
	}
	sk_obj *cfg = sk_obj_get(doc, "config");
	im->config = cfg ? sk_obj_copy(cfg) : sk_obj_new_object();
	sk_obj_unref(doc);
	return im;
}
