/* image_import.c — `skiff image import|ls|rm`, the admin's way into the
 * image store (images.c) on machines that pull nothing. import takes what
 * people have at hand: an OCI image layout or a `docker save` tarball (its
 * layers, config and history as they are), or a plain root file system
 * tarball (one layer, no config). Each layer is unpacked once under
 * layers/<sha256 of its file>, OCI whiteouts turned into overlayfs ones,
 * and shared by every image that has it. It runs safely beside a running
 * server: layers and records are written aside and renamed into place. */
#include "oci.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

static int sha256_file(const char *path, char hex[65])
{
	char out[256];
	const char *argv[] = {"sha256sum", "--", path, NULL};
	if (oci_run_sync(argv, out, sizeof out) != 0 || strlen(out) < 64)
		return -1;
	memcpy(hex, out, 64);
	hex[64] = 0;
	return 0;
}

/* OCI whiteouts (.wh.NAME, .wh..wh..opq) as overlayfs reads them */
static int whiteout(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag;
	const char *base = path + ftw->base;
	if (strncmp(base, ".wh.", 4))
		return 0;
	char target[4200];
	snprintf(target, sizeof target, "%.*s", ftw->base, path);
	if (!strcmp(base, ".wh..wh..opq")) {
		remove(path);
		return setxattr(target, "trusted.overlay.opaque", "y", 1, 0) != 0 ? -1 : 0;
	}
	snprintf(target + ftw->base, sizeof target - (size_t)ftw->base, "%s", base + 4);
	remove(path);
	return mknod(target, S_IFCHR | 0000, makedev(0, 0)) != 0 ? -1 : 0;
}

/* unpacks the layer file once; its sha256 into hex */
static int add_layer(const char *images, const char *file, char hex[65], int64_t *size)
{
	struct stat st;
	if (stat(file, &st) != 0 || sha256_file(file, hex) != 0) {
		fprintf(stderr, "skiff image: cannot read layer %s: %s\n", file, strerror(errno));
		return -1;
	}
	*size += st.st_size;
	char dir[4200], tmp[4300];
	snprintf(dir, sizeof dir, "%s/layers/%s", images, hex);
	if (stat(dir, &st) == 0)
		return 0; /* shared with an image imported before */
	snprintf(tmp, sizeof tmp, "%s/layers/.tmp-%s-%d", images, hex, (int)getpid());
	oci_rmrf(tmp);
	if (oci_mkdirs(tmp) != 0) {
		fprintf(stderr, "skiff image: cannot create %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	/* GNU tar finds gzip and others by itself; owners kept as numbers */
	const char *argv[] = {"tar", "-x", "--numeric-owner", "--same-permissions", "-f", file, "-C", tmp, NULL};
	if (oci_run_sync(argv, NULL, 0) != 0 || nftw(tmp, whiteout, 32, FTW_PHYS) != 0 || rename(tmp, dir) != 0) {
		fprintf(stderr, "skiff image: cannot unpack layer %s\n", file);
		oci_rmrf(tmp);
		return -1;
	}
	return 0;
}

static sk_obj *read_json(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = n >= 0 && n < (64 << 20) ? malloc((size_t)n + 1) : NULL;
	size_t got = buf ? fread(buf, 1, (size_t)n, f) : 0;
	fclose(f);
	if (!buf)
		return NULL;
	sk_err e = {0};
	sk_obj *o = sk_obj_parse(buf, got, &e);
	free(buf);
	return o;
}

/* "sha256:abc" -> dir/blobs/sha256/abc */
static void blob_path(const char *dir, const char *digest, char *out, size_t cap)
{
	const char *colon = digest ? strchr(digest, ':') : NULL;
	snprintf(out, cap, "%s/blobs/%.*s/%s", dir, colon ? (int)(colon - digest) : 0, digest ? digest : "",
	         colon ? colon + 1 : "");
}

struct found {
	sk_obj *config;           /* the image config document, or NULL */
	char **layers;            /* layer files, bottom first */
	size_t n;
};

static void found_add(struct found *f, const char *path)
{
	char **v = realloc(f->layers, (f->n + 1) * sizeof *v);
	if (v) {
		f->layers = v;
		v[f->n++] = strdup(path);
	}
}

static int from_oci_layout(const char *dir, struct found *f)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/index.json", dir);
	sk_obj *index = read_json(path);
	const char *mdigest = sk_obj_get_str(index, "manifests[0].digest");
	blob_path(dir, mdigest, path, sizeof path);
	sk_obj *manifest = mdigest ? read_json(path) : NULL;
	/* an index of platforms: take its first manifest */
	if (manifest && sk_obj_get(manifest, "manifests")) {
		blob_path(dir, sk_obj_get_str(manifest, "manifests[0].digest"), path, sizeof path);
		sk_obj_unref(manifest);
		manifest = read_json(path);
	}
	sk_obj_unref(index);
	if (!manifest)
		return -1;
	blob_path(dir, sk_obj_get_str(manifest, "config.digest"), path, sizeof path);
	f->config = read_json(path);
	const sk_obj *layers = sk_obj_get(manifest, "layers");
	for (size_t i = 0; i < sk_obj_len(layers); i++) {
		blob_path(dir, sk_obj_get_str(sk_obj_at(layers, i), "digest"), path, sizeof path);
		found_add(f, path);
	}
	sk_obj_unref(manifest);
	return 0;
}

static int from_docker_save(const char *dir, struct found *f)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	sk_obj *m = read_json(path);
	if (!m || !sk_obj_len(m)) {
		sk_obj_unref(m);
		return -1;
	}
	const sk_obj *first = sk_obj_at(m, 0);
	snprintf(path, sizeof path, "%s/%s", dir, sk_obj_get_str(first, "Config") ? sk_obj_get_str(first, "Config") : "");
	f->config = read_json(path);
	const sk_obj *layers = sk_obj_get(first, "Layers");
	for (size_t i = 0; i < sk_obj_len(layers); i++) {
		snprintf(path, sizeof path, "%s/%s", dir, sk_obj_str(sk_obj_at(layers, i)));
		found_add(f, path);
	}
	sk_obj_unref(m);
	return 0;
}

static int write_record(const char *images, const char *name, const struct found *f, char (*hex)[65], int64_t size)
{
	sk_obj *rec = sk_obj_new_object(), *layers = sk_obj_new_array();
	sk_obj_set_str(rec, "name", name, NULL);
	/* the id: the config's digest when there is one, else the top layer's */
	char id[80];
	snprintf(id, sizeof id, "sha256:%s", f->n ? hex[f->n - 1] : "");
	sk_obj_set_str(rec, "id", id, NULL);
	for (size_t i = 0; i < f->n; i++) {
		sk_obj *h = sk_obj_new_str(hex[i]);
		sk_obj_append(layers, h);
		sk_obj_unref(h);
	}
	sk_obj_set(rec, "layers", layers, NULL);
	sk_obj_unref(layers);
	sk_obj *cfg = sk_obj_get(f->config, "config");
	if (cfg)
		sk_obj_set(rec, "config", cfg, NULL);
	else {
		sk_obj *empty = sk_obj_new_object();
		sk_obj_set(rec, "config", empty, NULL);
		sk_obj_unref(empty);
	}
	sk_obj_set_int(rec, "size", size, NULL);
	char now[32];
	time_t t = time(NULL);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	sk_obj_set_str(rec, "imported", now, NULL);
	char path[4200], tmp[4300];
	image_ref_path(images, name, path, sizeof path);
	snprintf(tmp, sizeof tmp, "%s.tmp-%d", path, (int)getpid());
	char *text = sk_obj_dump(rec, SK_DUMP_PRETTY);
	sk_obj_unref(rec);
	FILE *out = fopen(tmp, "w");
	int ok = out && text && fputs(text, out) >= 0;
	ok = out && !fclose(out) && ok;
	sk_mem_free(text);
	if (!ok || rename(tmp, path) != 0) {
		fprintf(stderr, "skiff image: cannot write %s: %s\n", path, strerror(errno));
		remove(tmp);
		return -1;
	}
	return 0;
}

static int import(const char *images, const char *file, const char *ref)
{
	char name[1200], dir[4200], refs[4200];
	if (image_normalize(ref, name, sizeof name) != 0) {
		fprintf(stderr, "skiff image: invalid image name \"%s\"\n", ref);
		return 2;
	}
	snprintf(refs, sizeof refs, "%s/refs", images);
	snprintf(dir, sizeof dir, "%s/tmp/import-%d", images, (int)getpid());
	oci_rmrf(dir);
	if (access(file, R_OK) != 0) {
		fprintf(stderr, "skiff image: cannot read %s: %s\n", file, strerror(errno));
		return 1;
	}
	if (oci_mkdirs(dir) != 0 || oci_mkdirs(refs) != 0) {
		fprintf(stderr, "skiff image: cannot create %s: %s\n", dir, strerror(errno));
		return 1;
	}
	/* the archive's top level tells what it is; a rootfs is one layer */
	static char names[1 << 20];
	const char *ls[] = {"tar", "-t", "-f", file, NULL};
	if (oci_run_sync(ls, names, sizeof names) != 0) {
		fprintf(stderr, "skiff image: %s is not a tar archive\n", file);
		oci_rmrf(dir);
		return 1;
	}
	int layout = strstr(names, "oci-layout\n") || strstr(names, "manifest.json\n");
	const char *argv[] = {"tar", "-x", "-f", file, "-C", dir, NULL};
	if (layout && oci_run_sync(argv, NULL, 0) != 0) {
		fprintf(stderr, "skiff image: cannot unpack %s\n", file);
		oci_rmrf(dir);
		return 1;
	}
	struct found f = {0};
	char probe[4300];
	snprintf(probe, sizeof probe, "%s/oci-layout", dir);
	int rc = access(probe, F_OK) == 0 ? from_oci_layout(dir, &f) : -2;
	if (rc == -2) {
		snprintf(probe, sizeof probe, "%s/manifest.json", dir);
		rc = access(probe, F_OK) == 0 ? from_docker_save(dir, &f) : -2;
	}
	if (rc == -2) {
		found_add(&f, file);
		rc = 0;
	}
	int status = 1;
	char (*hex)[65] = calloc(f.n ? f.n : 1, sizeof *hex);
	int64_t size = 0;
	if (rc != 0 || !f.n) {
		fprintf(stderr, "skiff image: %s is an image archive this tool cannot read (no layers found)\n", file);
	} else if (hex) {
		size_t i;
		for (i = 0; i < f.n; i++)
			if (add_layer(images, f.layers[i], hex[i], &size) != 0)
				break;
		if (i == f.n && write_record(images, name, &f, hex, size) == 0) {
			printf("imported %s (%zu layer%s, %.1f MB)\n", name, f.n, f.n == 1 ? "" : "s", size / 1e6);
			status = 0;
		}
	}
	free(hex);
	for (size_t i = 0; i < f.n; i++)
		free(f.layers[i]);
	free(f.layers);
	sk_obj_unref(f.config);
	oci_rmrf(dir);
	return status;
}

static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

static int list(const char *images)
{
	char refs[4200];
	snprintf(refs, sizeof refs, "%s/refs", images);
	printf("%-60s %-20s %10s\n", "IMAGE", "ID", "SIZE");
	struct dirent **v = NULL;
	int n = scandir(refs, &v, NULL, by_name);
	for (int i = 0; i < n; i++) {
		const char *f = v[i]->d_name;
		size_t l = strlen(f);
		char path[4600];
		snprintf(path, sizeof path, "%s/%s", refs, f);
		sk_obj *rec = l > 5 && !strcmp(f + l - 5, ".json") ? read_json(path) : NULL;
		free(v[i]);
		if (!rec)
			continue;
		const char *id = sk_obj_get_str(rec, "id");
		printf("%-60s %-20.19s %8.1fMB\n", sk_obj_get_str(rec, "name"),
		       id ? id + (strncmp(id, "sha256:", 7) ? 0 : 7) : "", sk_obj_get_int(rec, "size", 0) / 1e6);
		sk_obj_unref(rec);
	}
	free(v);
	return 0;
}

static int remove_image(const char *images, const char *ref)
{
	char name[1200], path[4200];
	if (image_normalize(ref, name, sizeof name) != 0) {
		fprintf(stderr, "skiff image: invalid image name \"%s\"\n", ref);
		return 2;
	}
	image_ref_path(images, name, path, sizeof path);
	if (remove(path) != 0) {
		fprintf(stderr, "skiff image: %s: %s\n", name, errno == ENOENT ? "no such image" : strerror(errno));
		return 1;
	}
	printf("removed %s\n", name);
	return 0;
}

static const char usage[] =
	"Usage:\n"
	"  skiff image import [--data-dir DIR] FILE NAME[:TAG]\n"
	"      Add an image from an OCI image layout or `docker save` tarball, or a\n"
	"      root file system tarball, under NAME (default tag latest).\n"
	"  skiff image ls [--data-dir DIR]\n"
	"  skiff image rm [--data-dir DIR] NAME[:TAG]\n";

int command_image(void *ud, int argc, char **argv)
{
	(void)ud;
	char images[4200];
	snprintf(images, sizeof images, "%s/images", sk_data_dir());
	const char *sub = argc > 1 ? argv[1] : "";
	if (!strcmp(sub, "import") && argc == 4)
		return import(images, argv[2], argv[3]);
	if ((!strcmp(sub, "ls") || !strcmp(sub, "list")) && argc == 2)
		return list(images);
	if (!strcmp(sub, "rm") && argc == 3)
		return remove_image(images, argv[2]);
	int help = !strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help");
	fputs(usage, help ? stdout : stderr);
	return help ? 0 : 2;
}
