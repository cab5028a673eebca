/* cli_plugin.c — `skiff plugin check FILE.so` and `skiff plugin list`. */
#include "cli.h"
#include "err.h"
#include "loop.h"
#include "plugin_host.h"
#include "runstate.h"
#include <dlfcn.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"Usage:\n"
	"  skiff plugin check FILE.so\n"
	"      Tell what a plugin file is (name, version, ABI, extension points)\n"
	"      and whether this host can load it. Exit status 0 when it can.\n"
	"  skiff plugin list [--data-dir DIR]\n"
	"      Show the plugins the server running with DIR (default /var/lib/skiff) loaded.\n";

static void print_list(const char *label, const char *const *v)
{
	printf("%-13s", label);
	if (!v || !*v)
		printf("-");
	for (int i = 0; v && v[i]; i++)
		printf("%s%s", i ? ", " : "", v[i]);
	printf("\n");
}

struct ext_print {
	sk_plugin *p;
	int any;
	sk_ext_kind kind;
};

static int print_ext(void *ud, const void *ops, void *ops_ud, const char *owner)
{
	(void)ops_ud;
	struct ext_print *x = ud;
	if (strcmp(owner, x->p->name) == 0) {
		printf("%s%s:%s", x->any ? ", " : "", sk_ext_kind_name(x->kind), ((const sk_ops_head *)ops)->name);
		x->any = 1;
	}
	return 0;
}

void sk_host_set_data_dir(const char *dir);

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_tree(const char *dir) { nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS); }

static int check(const char *path)
{
	void *dl;
	const sk_plugin_desc *d;
	sk_err err = {0};
	if (sk_plugin_inspect(path, &dl, &d, &err) != SK_OK) {
		printf("file:        %s\nloadable:    no\nreason:      %s\n", path, err.msg);
		return 1;
	}
	printf("file:        %s\nname:        %s\nversion:     %s\ndescription: %s\n", path, d->name,
	       d->version ? d->version : "", d->description ? d->description : "");
	printf("abi:         %u.%u (host provides %d.%d)\n", d->abi_major, d->abi_minor, SK_ABI_MAJOR, SK_ABI_MINOR);
	print_list("provides:", d->provides);
	print_list("requires:", d->requires);
	/* Run init to learn the extension points it registers, then undo it,
	 * with a throwaway data dir so a check leaves nothing behind. */
	sk_plugin p = {.name = (char *)d->name, .path = (char *)path, .desc = d, .settings = json_object()};
	char scratch[] = "/tmp/skiff-plugin-check-XXXXXX";
	int ok = mkdtemp(scratch) != NULL && sk_loop_init(0, 1, &err) == SK_OK;
	if (ok)
		sk_host_set_data_dir(scratch);
	if (ok && d->entry(sk_host_table(), &p, &err) == SK_OK) {
		printf("extensions:  ");
		struct ext_print x = {&p, 0, 0};
		for (int k = 1; k < SK_EXT_KIND_MAX; k++) {
			x.kind = (sk_ext_kind)k;
			sk_ext_foreach(x.kind, print_ext, &x);
		}
		printf("%s\n", x.any ? "" : "-");
		if (d->fini)
			d->fini(&p);
		sk_ext_unregister_owner(&p);
		printf("loadable:    yes\n");
	} else {
		printf("extensions:  unknown (init failed: %s)\n", err.msg);
		printf("loadable:    yes, but its init fails here without its configuration or requirements\n");
	}
	json_decref(p.settings);
	free(p.state_dir);
	sk_loop_fini();
	remove_tree(scratch);
	dlclose(dl);
	return 0;
}

static int list(const char *data_dir)
{
	sk_err err = {0};
	json_t *st = runstate_read(data_dir, &err);
	if (!st) {
		fprintf(stderr, "skiff plugin list: %s\n", err.msg);
		char dir[PATH_MAX];
		if (sk_plugin_builtin_dir(dir, sizeof dir) == 0)
			fprintf(stderr, "built-in plugins are in %s ('skiff plugin check FILE' tells about each)\n", dir);
		return 1;
	}
	printf("server pid %lld, skiff %s, configured API address %s\n", (long long)json_integer_value(json_object_get(st, "pid")),
	       json_string_value(json_object_get(st, "version")), json_string_value(json_object_get(st, "listen")));
	printf("%-24s %-10s %-44s %s\n", "NAME", "VERSION", "EXTENSIONS", "FILE");
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(st, "plugins"), i, p)
	{
		char ext[512] = "";
		const char *kind;
		json_t *names;
		json_object_foreach(json_object_get(p, "extensions"), kind, names)
		{
			size_t j;
			json_t *n;
			json_array_foreach(names, j, n)
			{
				size_t used = strlen(ext);
				snprintf(ext + used, sizeof ext - used, "%s%s:%s", used ? "," : "", kind, json_string_value(n));
			}
		}
		printf("%-24s %-10s %-44s %s\n", json_string_value(json_object_get(p, "name")),
		       json_string_value(json_object_get(p, "version")), *ext ? ext : "-",
		       json_string_value(json_object_get(p, "file")));
	}
	json_decref(st);
	return 0;
}

int cmd_plugin(int argc, char **argv)
{
	if (argc < 2 || cli_wants_help(argc, argv)) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "check") == 0) {
		if (argc != 3) {
			fputs(usage, stderr);
			return 2;
		}
		return check(argv[2]);
	}
	if (strcmp(argv[1], "list") == 0) {
		const char *data_dir = "/var/lib/skiff";
		for (int i = 2; i < argc; i++) {
			const char *v = cli_flag(argc, argv, &i, "--data-dir");
			if (!v) {
				fprintf(stderr, "skiff plugin list: unknown argument \"%s\"\n", argv[i]);
				return 2;
			}
			data_dir = v;
		}
		return list(data_dir);
	}
	fprintf(stderr, "skiff plugin: unknown subcommand \"%s\"\n\n%s", argv[1], usage);
	return 2;
}
