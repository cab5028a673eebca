#!/usr/bin/env bash
# Images for the example app and the tests, built from Debian's packages
# (no registry needed) as OCI image layouts, once per machine, and imported
# into a data dir's image store:
#   busybox   busybox-static, with its applets linked         (busybox:latest, :1.28, :1.35)
#   nginx     Debian's nginx and what it links, serving its
#             default page, logs to stdout/stderr as the
#             official image does                              (nginx:latest, :1.7.9, :1.14.2)
# The nginx tags are the ones the course material names: a stand-in, so
# that its manifests run unchanged; the version inside is Debian's.
#
# Usage: scripts/images.sh build            build into $IMAGE_CACHE (default /var/cache/skiff/images)
#        scripts/images.sh import DATA_DIR  build if needed, then import into DATA_DIR with $SKIFF
set -euo pipefail
CACHE=${IMAGE_CACHE:-/var/cache/skiff/images}
SKIFF=${SKIFF:-skiff}

# oci_layout ROOTFS OUT.tar CONFIG_JSON: an OCI image layout of one layer
oci_layout() {
	local rootfs=$1 out=$2 config=$3 w
	w=$(mktemp -d)
	mkdir -p "$w/blobs/sha256"
	tar --numeric-owner --sort=name --mtime=@0 -C "$rootfs" -cf "$w/layer.tar" .
	local ldig lsize cdig csize mdig msize
	ldig=$(sha256sum "$w/layer.tar" | cut -d' ' -f1)
	lsize=$(stat -c %s "$w/layer.tar")
	mv "$w/layer.tar" "$w/blobs/sha256/$ldig"
	printf '{"architecture":"amd64","os":"linux","config":%s,"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
		"$config" "$ldig" >"$w/config.json"
	cdig=$(sha256sum "$w/config.json" | cut -d' ' -f1)
	csize=$(stat -c %s "$w/config.json")
	mv "$w/config.json" "$w/blobs/sha256/$cdig"
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
		"$cdig" "$csize" "$ldig" "$lsize" >"$w/manifest.json"
	mdig=$(sha256sum "$w/manifest.json" | cut -d' ' -f1)
	msize=$(stat -c %s "$w/manifest.json")
	mv "$w/manifest.json" "$w/blobs/sha256/$mdig"
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s}]}' \
		"$mdig" "$msize" >"$w/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$w/oci-layout"
	tar -C "$w" -cf "$out.tmp" oci-layout index.json blobs
	mv "$out.tmp" "$out"
	rm -rf "$w"
}

base_files() {
	local r=$1
	mkdir -p "$r"/{bin,etc,tmp,root,var/log,run,proc,sys,dev}
	chmod 1777 "$r/tmp"
	printf 'root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$r/etc/passwd"
	printf 'root:x:0:\nwww-data:x:33:\nnogroup:x:65534:\n' >"$r/etc/group"
}

build_busybox() {
	local r
	r=$(mktemp -d)
	base_files "$r"
	cp /bin/busybox "$r/bin/busybox"
	for a in $(/bin/busybox --list); do [ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"; done
	oci_layout "$r" "$CACHE/busybox.tar" '{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]}'
	rm -rf "$r"
}

build_nginx() {
	local r d
	r=$(mktemp -d)
	d=$(mktemp -d)
	chmod 1777 "$d" # apt downloads as its own user
	base_files "$r"
	# nginx and the libraries it links, from Debian's archive, unpacked as
	# dpkg would; busybox for a shell, as in the official image
	(cd "$d" && apt-get download -q nginx nginx-common libc6 libcrypt1 libpcre2-8-0 libssl3 zlib1g >/dev/null)
	for deb in "$d"/*.deb; do dpkg-deb -x "$deb" "$r"; done
	cp /bin/busybox "$r/bin/busybox"
	for a in sh ls cat echo sleep wget ps; do [ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"; done
	mkdir -p "$r/var/log/nginx" "$r/var/lib/nginx" "$r/run"
	ln -sf /dev/stdout "$r/var/log/nginx/access.log"
	ln -sf /dev/stderr "$r/var/log/nginx/error.log"
	# what the package's postinst would do: the default site and its page
	mkdir -p "$r/etc/nginx/sites-enabled" "$r/var/www/html"
	ln -sf ../sites-available/default "$r/etc/nginx/sites-enabled/default"
	cp "$r/usr/share/nginx/html/index.html" "$r/var/www/html/index.html"
	oci_layout "$r" "$CACHE/nginx.tar" '{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["nginx","-g","daemon off;"],"ExposedPorts":{"80/tcp":{}},"StopSignal":"SIGQUIT"}'
	rm -rf "$r" "$d"
}

build() {
	mkdir -p "$CACHE"
	[ -s "$CACHE/busybox.tar" ] || build_busybox
	[ -s "$CACHE/nginx.tar" ] || build_nginx
}

case "${1:-}" in
build) build ;;
import)
	[ -n "${2:-}" ] || { echo "usage: $0 import DATA_DIR" >&2; exit 2; }
	build
	for t in latest 1.28 1.35; do "$SKIFF" image import --data-dir "$2" "$CACHE/busybox.tar" "busybox:$t" >/dev/null; done
	for t in latest 1.7.9 1.14.2; do "$SKIFF" image import --data-dir "$2" "$CACHE/nginx.tar" "nginx:$t" >/dev/null; done
	;;
*) echo "usage: $0 build | import DATA_DIR" >&2; exit 2 ;;
esac
